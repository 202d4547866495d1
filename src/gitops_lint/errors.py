"""The error hierarchy. Only cli.py turns these into messages and exit codes."""
from __future__ import annotations


class GitopsLintError(Exception):
    """Base of every error the linter raises on purpose. Exit code 2 unless a subclass says."""

    exit_code = 2

    def __init__(self, message: str, *, path: str | None = None, line: int | None = None,
                 keypath: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.path = path
        self.line = line
        self.keypath = keypath

    def __str__(self) -> str:
        where = self.path or ""
        if where and self.line:
            where += f":{self.line}"
        if self.keypath:
            where += f" ({self.keypath})" if where else self.keypath
        return f"{where}: {self.message}" if where else self.message


class ConfigError(GitopsLintError):
    """`.gitops-lint.yaml` is unreadable or does not match its schema."""


class ConfigErrors(ConfigError):
    """Several problems of one config, reported together: one line each."""

    def __init__(self, errors: list[ConfigError]) -> None:
        super().__init__(str(errors[0]))
        self.errors = errors

    def __str__(self) -> str:
        return "\n".join(str(error) for error in self.errors)


class RuleFileError(GitopsLintError):
    """A rule file is invalid. These ship with the package, so this is a packaging defect."""


class HistoryUnavailableError(GitopsLintError):
    """History rules are on but the git history is incomplete (shallow clone)."""


class YamlProblem(GitopsLintError):
    """A YAML file cannot be used. Reported as a yaml/* finding, never as a crash."""

    def __init__(self, rule: str, message: str, *, path: str, line: int | None = None,
                 column: int | None = None) -> None:
        super().__init__(message, path=path, line=line)
        self.rule = rule
        self.column = column
