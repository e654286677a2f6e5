import hashlib
import multiprocessing

from stats.store import MarkTable


def digest(number: int) -> bytes:
    return hashlib.blake2b(str(number).encode(), digest_size=16).digest()


def test_a_mark_is_new_once(tmp_path):
    table = MarkTable(tmp_path / "marks")
    assert table.add(digest(1)) is True
    assert table.add(digest(1)) is False
    assert table.add(digest(2)) is True
    table.close()
    reopened = MarkTable(tmp_path / "marks")  # another process, or after a restart
    assert reopened.add(digest(1)) is False
    reopened.close()


class Tiny(MarkTable):
    SLOTS = 8
    MAX_PROBES = 8


def test_a_full_table_counts_as_seen_never_as_new_twice(tmp_path):
    table = Tiny(tmp_path / "marks")
    assert [table.add(digest(n)) for n in range(8)] == [True] * 8
    assert table.add(digest(99)) is False  # full: an undercount, logged as seen
    assert [table.add(digest(n)) for n in range(8)] == [False] * 8
    table.close()


def _add_all(path, numbers, results):
    table = MarkTable(path)
    results.put(sum(table.add(digest(n)) for n in numbers))
    table.close()


def test_two_processes_adding_the_same_marks_make_each_new_once(tmp_path):
    path = tmp_path / "marks"
    MarkTable(path).close()
    results = multiprocessing.get_context("fork").Queue()
    numbers = list(range(3000))
    workers = [
        multiprocessing.get_context("fork").Process(target=_add_all, args=(path, numbers, results))
        for _ in range(2)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
    assert results.get(timeout=5) + results.get(timeout=5) == 3000
