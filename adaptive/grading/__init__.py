"""Grading: answer evaluation (adaptive.grading.answers)."""

from adaptive.grading.answers import AnswerResult as AnswerResult
from adaptive.grading.answers import evaluate_answer as evaluate_answer
from adaptive.grading.score import GradeReport as GradeReport
from adaptive.grading.score import SkillGrade as SkillGrade
from adaptive.grading.score import grade as grade
