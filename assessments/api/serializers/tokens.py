"""Asking for a personal API token, and the answer that shows it once."""

from typing import Any

from rest_framework import serializers


class TokenRequestSerializer(serializers.Serializer[Any]):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(
        max_length=4096, trim_whitespace=False, style={"input_type": "password"}, write_only=True
    )
    name = serializers.CharField(
        max_length=100,
        required=False,
        allow_blank=True,
        default="",
        help_text="A name to tell the token apart on your profile page.",
    )


class TokenResponseSerializer(serializers.Serializer[Any]):
    token = serializers.CharField(help_text="Shown once; send it as 'Authorization: Token ...'.")
    name = serializers.CharField()
    prefix = serializers.CharField()
