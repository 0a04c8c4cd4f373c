"""Commands read config/config.yaml exactly as the rules do: validated, nested defaults filled."""

import pytest

from idtracker_flow.project.config import ConfigError, read_config


def test_nested_defaults_are_filled_like_snakemakes_validate(tmp_path):
    config = tmp_path / "config.yaml"
    config.write_text("qc:\n  max_gap_seconds: 2\njobs_per_gpu: 3\n")
    read = read_config(config)
    assert read["qc"] == {
        "max_gap_seconds": 2,
        "min_estimated_accuracy": 0.99,
        "min_fraction_identified": 0.95,
        "min_fraction_all_present": 0.9,
        "min_silhouette_score": 0.91,
        "min_mean_likelihood": 0.6,
    }
    assert read["exports"] == {
        "movement": True,
        "tidy_table": "parquet",
        "individual_names": {},
        "px_per_mm": {},
    }
    assert read["jobs_per_gpu"] == 3 and read["video_dirs"] == ["videos"]
    assert read_config(tmp_path / "missing.yaml")["qc"]["max_gap_seconds"] == 1.0


@pytest.mark.parametrize(
    "text, said",
    [
        ("skip: vidA/a\n", "skip: 'vidA/a' is not of type 'array'"),
        ("thread: 4\n", "'thread' was unexpected"),
        ("video_dirs:\n\t- videos\n", "indent with spaces, not tabs"),
        ("- a list\n", "must hold `key: value` lines"),
    ],
)
def test_a_wrong_file_is_one_clear_message(tmp_path, text, said):
    config = tmp_path / "config.yaml"
    config.write_text(text)
    with pytest.raises(ConfigError, match="config.yaml") as error:
        read_config(config)
    assert said in str(error.value)
    assert "Failed validating" not in str(error.value)  # no schema dump


def test_recordings_contiguous_is_a_yes_or_no_per_recording_or_per_part(tmp_path):
    config = tmp_path / "config.yaml"
    config.write_text("recordings:\n  contiguous:\n    fish1: false\n    colony: {day2: true}\n")
    assert read_config(config)["recordings"]["contiguous"] == {
        "fish1": False,
        "colony": {"day2": True},
    }
    assert read_config(tmp_path / "missing.yaml")["recordings"]["contiguous"] == {}
    config.write_text("recordings:\n  contiguous:\n    fish1: maybe\n")
    with pytest.raises(ConfigError, match="recordings.contiguous.fish1"):
        read_config(config)
