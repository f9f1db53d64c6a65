"""Forms of the collaboration routines, one module per routine. Every form gives a
clear message for bad input; the services validate again before anything is saved."""

from __future__ import annotations

from .charters import CharterForm
from .conflicts import ConflictEditForm, ConflictForm, SettleForm
from .feedback import FEEDBACK_MODELS, ActionForm, FeedbackForm, TriageForm, feedback_target_choices
from .fields import (
    DATE,
    MEETING_CHOICES,
    coordinated_projects,
    duty_label,
    managed_departments,
    people_field,
    role_label,
)
from .flows import FlowForm
from .goals import GoalForm, GoalLinkForm, ProgressForm, TargetForm
from .lessons import LessonForm

__all__ = [
    "DATE",
    "FEEDBACK_MODELS",
    "MEETING_CHOICES",
    "ActionForm",
    "CharterForm",
    "ConflictEditForm",
    "ConflictForm",
    "FeedbackForm",
    "FlowForm",
    "GoalForm",
    "GoalLinkForm",
    "LessonForm",
    "ProgressForm",
    "SettleForm",
    "TargetForm",
    "TriageForm",
    "coordinated_projects",
    "duty_label",
    "feedback_target_choices",
    "managed_departments",
    "people_field",
    "role_label",
]
