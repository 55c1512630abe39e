"""Permissions of the API: object permissions of team-owned resources, and the views only org
admins use.

The services remain the authority on who may change what; checking here as well answers a
viewer's write with 403 before the request body is even validated.
"""

from typing import Any

from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request
from rest_framework.views import APIView

from ..access import can_edit_team, can_manage_team, is_org_admin


class TeamEditorCanWrite(BasePermission):
    """Anyone who can see the object reads it; members, leads and org admins change it."""

    message = "Only members, team leads and org admins can change this team's data."

    def has_object_permission(self, request: Request, view: APIView, obj: Any) -> bool:
        if request.method in SAFE_METHODS:
            return True
        return can_edit_team(request.user, obj.team)


class TeamManagerCanWrite(BasePermission):
    """Anyone who can see the object reads it; team leads and org admins change it."""

    message = "Only team leads and org admins can change this team's repositories."

    def has_object_permission(self, request: Request, view: APIView, obj: Any) -> bool:
        if request.method in SAFE_METHODS:
            return True
        return can_manage_team(request.user, obj.team)


class OrgAdminsOnly(BasePermission):
    """Views only org admins use; a subclass says in `message` what only they do."""

    message = "Only org admins can do this."

    def has_permission(self, request: Request, view: APIView) -> bool:
        return is_org_admin(request.user)
