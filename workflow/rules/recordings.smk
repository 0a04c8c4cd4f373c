# Recordings: the jobs that film the same animals (by default those of one settings/<video>/
# folder; config `recordings`), matched to the reference part's identities with idtracker.ai's
# idmatcher.ai and joined in time order in recordings/<recording>/. One DAG job per
# recording; its input function runs once per recording, not per job.


def recording_inputs(wildcards):
    """Every part's copied trajectories and tracked record: a re-tracked or validated part
    makes the recording again (matches of unchanged parts are reused)."""
    members = RECORDINGS[wildcards.recording]
    return [layout.job_file(layout.TRAJECTORIES, *key) for key in members] + [
        steps.TRACK.output_of(*key) for key in members
    ]


rule match_recording:
    input:
        recording_inputs,
    output:
        **{
            name: directory(path) if name == "parts" else path
            for name, path in RECORDING_OUTPUTS.items()
        },
    log:
        layout.RECORDING_LOG,
    conda:
        "../envs/idtracker-flow.yaml"
    params:
        members=lambda wildcards: RECORDINGS[wildcards.recording],
        options=config["recordings"],
        exports=config["exports"],
    script:
        "../scripts/match_recording.py"
