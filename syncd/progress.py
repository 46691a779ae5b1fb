"""Progress bars for long interactive imports (``syncd import`` on a terminal): transactions
read per file, lines sent to Odoo, lines reconciled. Nothing is drawn when stderr is not a
terminal (a service, cron, a pipe) unless asked for. rich is imported only when bars are
drawn."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import Console


class NoProgress:
    def start(self, label: str, total: int | None = None):
        return None

    def advance(self, task, amount: int = 1):
        pass

    def stop(self, task):
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


class BarProgress(NoProgress):
    def __init__(self, console: Console | None = None):
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        self.progress = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                                 TimeElapsedColumn(), console=console or Console(stderr=True), transient=False)

    def start(self, label: str, total: int | None = None):
        return self.progress.add_task(label, total=total)

    def advance(self, task, amount: int = 1):
        self.progress.advance(task, amount)

    def stop(self, task):
        total = self.progress.tasks[task].completed
        self.progress.update(task, total=total, completed=total)

    def __enter__(self):
        self.progress.start()
        return self

    def __exit__(self, *exc):
        self.progress.stop()
        return False
