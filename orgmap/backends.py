"""The sign-in backend: Django's ModelBackend, loading the person's profile with them.

Every signed-in request reads the profile (its language and time zone, in
orgmap.middleware); fetching it in the query that loads the user saves one query per
request.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend


class ProfileModelBackend(ModelBackend):
    def get_user(self, user_id):
        user_model = get_user_model()
        try:
            user = user_model._default_manager.select_related("profile").get(pk=user_id)
        except user_model.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
