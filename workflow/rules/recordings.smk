# Recordings: the jobs that film the same animals (by default those of one settings/<video>/
# folder; config `recordings`), matched to the reference part's identities with idtracker.ai's
# idmatcher.ai and joined in time order in recordings/<recording>/. One DAG job per
# recording; its input function (rules/common.smk) runs once per recording, not per job.


rule match_recording:
    input:
        recording_inputs,
    output:
        # update(): a refused or failed match keeps the recording's previous files.
        **{
            name: update(directory(path) if name == "parts" else path)
            for name, path in RECORDING_OUTPUTS.items()
        },
    log:
        layout.RECORDING_LOG,
    benchmark:
        layout.RECORDING_BENCHMARK
    conda:
        "../envs/idtracker-flow.yaml"
    params:
        members=lambda wildcards: RECORDINGS[wildcards.recording],
        options=config["recordings"],
        exports=config["exports"],
    script:
        "../scripts/match_recording.py"
