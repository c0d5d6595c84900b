"""Demo readiness rounds. Being written."""


def seed_readiness_demo(*, workgroup, actor) -> None:
    return None
