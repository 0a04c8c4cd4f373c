"""What Snakemake would run now: its decision (snakemake/dag.py, update_needrun) on this
workflow's DAG, as a pure function of the facts (facts.py).

1. A step's reference time is its output's time; a step whose output is missing borrows the
   reference time of the step that uses it (so a deleted intermediate file alone makes
   nothing run).
2. A step runs when one of its inputs that exists is newer than its reference time, or when
   its output is marked incomplete (a run was cut off).
3. Everything after a running step runs; a step before it runs when the file it needs from
   that step is missing. The final target asks for every target job's copy.

The rules' inputs (workflow/rules/tracking.smk) are mirrored in `step_inputs`: if they change,
tests/workflow/test_status.py and `bench/status --check` show any disagreement.
"""

from idtracker_flow.project.steps import COPY, REPAIR, TRACK

ALL = ("all", "", "")  # the workflow's final target
Node = tuple[str, str, str]  # (step, video, job)


def step_inputs(node: Node, facts: dict) -> list[float | None]:
    """The times of a step's inputs, as Snakemake takes them (None: missing)."""
    step, video, job = node
    job_facts = facts[(video, job)]
    if step == REPAIR.name:
        return [job_facts.settings_time, *job_facts.video_times]
    if step == TRACK.name:
        transfer = []
        if job_facts.transfer is not None:
            transfer = [facts[job_facts.transfer].input_time[TRACK.name]]
        return [job_facts.input_time[REPAIR.name], *transfer, *job_facts.model_times]
    return [job_facts.input_time[TRACK.name], job_facts.session_trajectories_time]


def _output(node: Node, facts: dict) -> float | None:
    step, video, job = node
    return facts[(video, job)].output_time[step]


def build_dag(facts: dict, targets: list[tuple[str, str]]):
    """(nodes, users of each node, producers of each node with the time of what they make):
    every target job's three steps, plus the jobs they learn identities from."""
    nodes: list[Node] = []
    depending: dict[Node, list[Node]] = {}
    producers: dict[Node, list[tuple[Node, float | None]]] = {}
    queue = [(key, True) for key in targets]
    added = set()

    def add(node) -> None:
        if node not in depending:
            depending[node] = []
            nodes.append(node)

    while queue:
        key, with_copy = queue.pop()
        if (key, with_copy) in added:
            continue
        added.add((key, with_copy))
        repair, track, copy = ((step.name, *key) for step in (REPAIR, TRACK, COPY))
        add(repair)
        add(track)
        producers[track] = [(repair, _output(repair, facts))]
        depending[repair].append(track)
        if with_copy:
            add(copy)
            producers[copy] = [(track, _output(track, facts))]
            depending[track].insert(0, copy)
            depending[copy].append(ALL)
        if (source := facts[key].transfer) is not None:
            source_track = (TRACK.name, *source)
            producers[track].append((source_track, _output(source_track, facts)))
            add(source_track)
            depending[source_track].append(track)
            queue.append((source, False))
    return nodes, depending, producers


def steps_to_run(facts: dict, targets: list[tuple[str, str]]) -> set[Node]:
    """The steps (step, video, job) Snakemake runs for these target jobs."""
    nodes, depending, producers = build_dag(facts, targets)
    reference: dict[Node, float | None] = {ALL: None}

    def reference_time(node) -> float | None:
        if node in reference:
            return reference[node]
        reference[node] = None  # a cycle: Snakemake refuses it anyway
        own = _output(node, facts)
        if own is None:
            for user in depending.get(node, []):
                if (own := reference_time(user)) is not None:
                    break
        reference[node] = own
        return own

    todo = [ALL] if targets else []
    for node in nodes:
        stamp = reference_time(node)
        step, video, job = node
        forced = facts[(video, job)].cut_off(step)
        newer = stamp is not None and any(
            t is not None and t > stamp for t in step_inputs(node, facts)
        )
        if forced or newer:
            todo.append(node)
    return _spread(todo, targets, facts, depending, producers)


def _spread(todo, targets, facts, depending, producers) -> set[Node]:
    """Everything after a running step, and every missing file before it."""
    needrun: set[Node] = set()
    while todo:
        node = todo.pop()
        if node in needrun:
            continue
        needrun.add(node)
        for producer, produced in producers.get(node, []) if node != ALL else []:
            if produced is None:
                todo.append(producer)
        if node == ALL:
            todo += [
                (COPY.name, *key) for key in targets if _output((COPY.name, *key), facts) is None
            ]
        todo += depending.get(node, [])
    needrun.discard(ALL)
    return needrun
