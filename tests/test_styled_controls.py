"""Every form's controls carry the base stylesheet's classes, so forms look alike everywhere."""

import re

import pytest
from django import forms
from django.urls import reverse

from assessments.dashboards.filters import TeamFilterForm
from assessments.forms import RepositoryConnectForm, StyledControls


def _classes(html: str, name: str) -> list[str]:
    """The class attribute of each control named `name`, wherever the attribute sits in the tag."""
    tags = re.findall(rf'<(?:input|select|textarea)\b[^>]*\bname="{name}"[^>]*>', html)
    return [re.search(r'class="([^"]*)"', tag).group(1) for tag in tags]


def test_text_inputs_menus_and_check_boxes_get_their_own_class():
    html = str(RepositoryConnectForm())

    assert _classes(html, "url") == ["form-control"]
    assert _classes(html, "scan_interval_hours") == ["form-control"]
    assert set(_classes(html, "holds")) == {"form-check-input"}
    assert _classes(str(TeamFilterForm({})), "level") == ["form-select"]


def test_a_class_already_on_a_widget_is_kept_and_not_doubled():
    class Form(StyledControls, forms.Form):
        name = forms.CharField(widget=forms.TextInput(attrs={"class": "wide form-control"}))
        kind = forms.ChoiceField(choices=[("a", "A")], widget=forms.Select(attrs={"class": "wide"}))

    html = str(Form())

    assert 'class="wide form-control"' in html
    assert 'class="wide form-select"' in html


def test_the_login_and_password_pages_use_styled_controls(client, django_user_model):
    assert 'class="form-control"' in client.get(reverse("login")).content.decode()

    user = django_user_model.objects.create_user("styled", password="a long passphrase 1")
    client.force_login(user)
    body = client.get(reverse("password_change")).content.decode()

    assert body.count('class="form-control"') == 3


def test_a_menu_whose_choices_depend_on_the_user_is_found_by_name():
    class Form(StyledControls, forms.Form):
        kind = forms.ChoiceField(choices=[])
        name = forms.CharField()

    form = Form()
    form.choice_field("kind").choices = [("a", "A")]

    assert '<option value="a">A</option>' in str(form)


def test_asking_for_a_text_field_as_a_menu_is_refused_with_a_sentence():
    class Form(StyledControls, forms.Form):
        name = forms.CharField()

    with pytest.raises(TypeError, match="The form's field 'name' is not a ChoiceField."):
        Form().choice_field("name")
