"""The writes a load run made, and the check that none was lost (used by `web_faults.py`; tested in
tests/bench/test_write_ledger.py).

Each write names its target (an element, a finding), the field it set, a value no other write uses, the
version it was made from (If-Match) and, when the server acknowledged it, the version it made. Writes
that got no answer (a cut connection, a 503) are "unsure": applied or not, nobody was told it was saved.

With If-Match each acknowledged version was made from the one before it, so a target's acknowledged writes
form one chain from its first version. A lost update shows as an acknowledged write outside that chain (a
later write did not start from it, i.e. overwrote it unseen), two acknowledged writes made from the same
version, or a field whose final value is not the last acknowledged one of the chain (nor a later unsure
write's, which may have been applied without the client being told).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Write:
    target: str
    field: str
    value: str
    base: str
    result: str | None  # the version made; None: unsure


@dataclass
class Verdict:
    targets: int = 0
    acknowledged: int = 0
    lost: list[str] = field(default_factory=list)  # what was lost, one line each
    unsure_applied: int = 0


@dataclass
class Ledger:
    initial: dict[str, str] = field(default_factory=dict)
    writes: dict[str, list[Write]] = field(default_factory=lambda: defaultdict(list))

    def start(self, target: str, version: str) -> None:
        self.initial[target] = version

    def record(self, write: Write) -> None:
        self.writes[write.target].append(write)

    def chain(self, target: str) -> tuple[list[Write], list[str], set[Write]]:
        """The target's acknowledged writes in the order they were made, the problems found on the way and
        how many unsure writes the chain shows were applied (a later write made from the version one made)."""
        acked = [w for w in self.writes[target] if w.result is not None]
        unsure_bases = {w.base for w in self.writes[target] if w.result is None}
        by_base: dict[str, Write] = {}
        problems: list[str] = []
        for write in acked:
            if write.base in by_base:
                problems.append(f"{target}: two writes acknowledged from version {write.base}")
            by_base[write.base] = write
        made = {w.result for w in acked} | {self.initial[target]}
        orphans = [w for w in acked if w.base not in made]  # made from a version an unsure write made
        order: list[Write] = []
        applied: set[Write] = set()
        version = self.initial[target]
        while True:
            if version in by_base:
                order.append(by_base.pop(version))
            elif version in unsure_bases and len(orphans) == 1:  # an unsure write was applied just here
                order.append(orphans.pop())
                applied |= {w for w in self.writes[target] if w.result is None and w.base == version}
                by_base.pop(order[-1].base, None)
            else:
                break
            version = str(order[-1].result)
        problems += [
            f"{target}: {w.field}={w.value} acknowledged, then overwritten unseen" for w in by_base.values()
        ]
        return order, problems, applied

    def verify(self, final: dict[str, dict[str, str]]) -> Verdict:
        """`final`: per target, the stored value of each field written."""
        verdict = Verdict(targets=len(self.initial))
        for target in self.initial:
            order, problems, applied = self.chain(target)
            verdict.acknowledged += len(order)
            found = set(applied)
            verdict.lost += problems
            last = {w.field: w.value for w in order}
            for name, value in last.items():
                stored = final[target].get(name)
                if stored == value:
                    continue
                unsure = {w for w in self.writes[target] if w.result is None and w.field == name}
                if any(w.value == stored for w in unsure):
                    found |= {w for w in unsure if w.value == stored}
                else:
                    verdict.lost.append(
                        f"{target}: {name} is {stored!r}, the last acknowledged write {value!r}"
                    )
            verdict.unsure_applied += len(found)
        return verdict
