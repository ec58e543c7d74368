"""One exception hierarchy for the toolkit.

Every error a user can trigger is an :class:`AnalysisError` whose message says what to fix:
the file, row, column or parameter, the bad value and what was expected.
"""

from __future__ import annotations


class AnalysisError(Exception):
    """Base class of every error raised on purpose by :mod:`analysis`."""


class DataValidationError(AnalysisError):
    """Input data break the contract; ``problems`` lists one :class:`Problem` per issue."""

    def __init__(self, problems, source: str | None = None):
        self.problems = list(problems)
        self.source = source
        head = (
            f"{len(self.problems)} problem(s) in {source}"
            if source
            else f"{len(self.problems)} problem(s)"
        )
        body = "\n".join(str(p) for p in self.problems[:50])
        more = f"\n... and {len(self.problems) - 50} more" if len(self.problems) > 50 else ""
        super().__init__(f"{head}:\n{body}{more}")


class InsufficientDataError(DataValidationError):
    """Valid data that cannot support the analysis asked for (e.g. a single period); the
    message is the one problem, on one line."""

    def __init__(self, problem, source: str | None = None):
        super().__init__([problem], source=source)
        self.args = (str(problem),)

    def __str__(self) -> str:
        return str(self.problems[0])


class FrameworkError(AnalysisError):
    """An indicator framework (YAML) is malformed or inconsistent."""


class MethodError(AnalysisError):
    """A method choice or its parameters are invalid (unknown normalisation, bad weights...)."""


class ParameterError(AnalysisError):
    """A notebook or CLI parameter is unknown or has the wrong type."""


class RunError(AnalysisError):
    """A batch run failed (one or more tasks failed); details in the run manifest."""


class RenderError(AnalysisError):
    """A brief or figure could not be rendered."""
