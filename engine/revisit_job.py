"""The scheduler's revisit job: each period, draw the sampled revisits a county declares.

A process whose verification step revisits a sample (`回访 30% 每 月`, `回访 30 件 每 月`) gets
one job, run once for each period when it has ended: it opens 核单 tickets for the sample of
the cases closed in that period (engine.evaluation.draw). At 100% the revisit is a step of the
chain and there is nothing to schedule.
"""

from __future__ import annotations

from dsl.model import County
from engine import evaluation, scheduler
from engine.periods import KIND_NAMES

NAME = "回访抽样"


def jobs(county: County) -> list[scheduler.Job]:
    found = []
    for process in county.processes.values():
        step = evaluation.sampling_step(county, process.key)
        if step is None or step.revisit is None:
            continue
        rule = step.revisit
        per = KIND_NAMES[rule.period]
        found.append(
            scheduler.Job(
                key=f"{NAME}:{process.key}/{step.key}",
                title=f"{NAME}：{process.name} · {step.name}（每{per} {rule.amount()}）",
                period=rule.period,
                after=True,
                args=(process.key, step.key),
            )
        )
    return found


def run(job: scheduler.Run) -> str:
    process, step = job.job.args
    period = job.period
    drawn = evaluation.draw(
        job.conn,
        job.county,
        job.county_id,
        period.start,
        period.end,
        job.now,
        only=(process, step),
    )
    return f"{period.label}办结 {drawn.closed} 件，抽中 {len(drawn.chosen)} 件"


scheduler.register(scheduler.JobKind(NAME, jobs, run))
