import pytest

from tests.factories import author


@pytest.fixture
def author_client(client):
    user = author(username="author")
    client.force_login(user)
    client.user = user
    return client
