import itertools

from capdesk.upload.planner import MIB, MIN_PART, TARGET_PARTS_PER_MINUTE, PartPlanner


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_no_cut_until_a_full_part_is_durable() -> None:
    planner = PartPlanner()
    assert planner.next_cut(0, MIN_PART - 1) is None
    assert planner.next_cut(0, MIN_PART) == MIN_PART
    assert planner.next_cut(MIN_PART, 2 * MIN_PART - 1) is None


def test_part_size_grows_with_bitrate_to_stay_under_the_request_target() -> None:
    clock = FakeClock()
    planner = PartPlanner(clock)
    rate = 40 * MIB  # 40 MiB/s: far above what 5 MiB parts can carry in budget
    planner.observe(0)
    clock.now = 10.0
    planner.observe(int(rate * 10))
    parts_per_minute = rate * 60 / planner.part_size
    assert parts_per_minute <= TARGET_PARTS_PER_MINUTE
    assert planner.part_size % MIB == 0


def test_part_size_stays_at_minimum_for_ordinary_bitrates_and_never_shrinks() -> None:
    clock = FakeClock()
    planner = PartPlanner(clock)
    planner.observe(0)
    clock.now = 10.0
    planner.observe(11_000_000)  # ~9 Mbps
    assert planner.part_size == MIN_PART
    planner.part_size = 8 * MIB
    clock.now = 20.0
    planner.observe(12_000_000)
    assert planner.part_size == 8 * MIB


def test_tail_cuts_leave_no_small_part_but_the_last() -> None:
    for final in (1, MIN_PART - 1, MIN_PART, MIN_PART + 1, 2 * MIN_PART, 3 * MIN_PART + 7,
                  11 * MIN_PART - 3):
        cuts = PartPlanner.tail_cuts(0, final, MIN_PART)
        assert sum(size for _, size in cuts) == final
        offsets = [offset for offset, _ in cuts]
        assert offsets == sorted(offsets) and offsets[0] == 0
        for (offset, size), (next_offset, _) in itertools.pairwise(cuts):
            assert offset + size == next_offset
            assert size >= MIN_PART
        assert cuts[-1][1] < 2 * MIN_PART


def test_tail_cuts_start_where_planning_stopped() -> None:
    cuts = PartPlanner.tail_cuts(3 * MIN_PART, 3 * MIN_PART + 100, MIN_PART)
    assert cuts == [(3 * MIN_PART, 100)]
    assert PartPlanner.tail_cuts(100, 100, MIN_PART) == []
