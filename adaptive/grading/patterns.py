"""Answer patterns (RE2): see adaptive.modules.patterns, where they live.

The pattern language is part of the module format, checked by the validator and used by
the grader; it lives beside the format so that validating a module does not import the
grading package (whose score module imports mastery, which imports the format: a cycle).
"""

from adaptive.modules.patterns import PatternError, backtracking_risk, compile_pattern

__all__ = ["PatternError", "backtracking_risk", "compile_pattern"]
