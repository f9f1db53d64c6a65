"""The collaboration routines: conflicts, shared goals with
measurable targets, team charters, lessons learned, feedback and improvement actions.

Every rule that a single row can carry is a database constraint as well as a `clean()`
check, so a bad row is refused whichever way it is written (form, service, admin,
shell). Rules that reach across tables (a role belongs to the flow's department, a
conflict involves two departments) live in `clean()` and the services.
docs/collaboration.md describes the routines and their permissions.

One module per routine; Django finds the models through the imports below.
"""

from __future__ import annotations

from .charters import Charter
from .conflicts import Conflict
from .feedback import FEEDBACK_TARGETS, Feedback, ImprovementAction
from .goals import Goal, GoalLink, Target, TargetProgress
from .lessons import Lesson, normalise_tags

__all__ = [
    "FEEDBACK_TARGETS",
    "Charter",
    "Conflict",
    "Feedback",
    "Goal",
    "GoalLink",
    "ImprovementAction",
    "Lesson",
    "Target",
    "TargetProgress",
    "normalise_tags",
]
