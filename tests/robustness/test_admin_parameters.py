"""Django's own changelists (users, groups, django-axes' records) refuse hostile lookups too.

Their ModelAdmins are not Gloss's `CheckedLookupsAdmin`; `cms.admin_lookups`'s middleware
applies the same checks to every changelist, so a NUL in `?username=` (PostgreSQL refuses
the query) or a year past `datetime`'s range gets the admin's "incorrect lookup" redirect
(`?e=1`), never a 500, on SQLite and PostgreSQL (issue 12, defect 3).
"""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

pytestmark = pytest.mark.django_db

HOSTILE = [
    ("auth_user", "username=%00"),
    ("auth_user", "username__exact=a%00b"),
    ("auth_user", "date_joined__year=9223372036854775808"),
    ("auth_user", "date_joined__year=2026&date_joined__month=%C2%B2"),
    ("auth_user", "groups__id__exact=%D9%A1"),
    ("auth_user", "id__exact=99999999999999999999"),
    ("auth_user", "q=%00"),
    ("auth_user", "e=1&username=%00"),
    ("auth_group", "name=%00"),
    ("axes_accessattempt", "username=%00"),
    ("axes_accessattempt", "attempt_time__year=9223372036854775808"),
    ("axes_accesslog", "path_info__exact=%00"),
    ("axes_accessfailurelog", "attempt_time__year=10000000000000000000000"),
]


@pytest.fixture
def superuser(client):
    user = get_user_model().objects.create_superuser("root", "root@example.org", "pw")
    client.force_login(user)
    return user


@pytest.mark.parametrize(("name", "query"), HOSTILE)
def test_hostile_lookup_on_djangos_own_changelists_redirects(client, superuser, name, query):
    url = reverse(f"admin:{name}_changelist")
    response = client.get(f"{url}?{query}")
    assert (response.status_code, response["Location"]) == (302, f"{url}?e=1")
    assert client.get(response["Location"]).status_code == 200


def test_honest_lookups_on_djangos_own_changelists_still_filter(client, superuser):
    get_user_model().objects.create_user("other", password="pw")
    url = reverse("admin:auth_user_changelist")
    response = client.get(f"{url}?username=root&date_joined__year={superuser.date_joined.year}")
    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [superuser]
