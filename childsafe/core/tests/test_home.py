import pytest


@pytest.mark.django_db
def test_home_is_vietnamese_by_default(client):
    response = client.get("/")
    assert response.status_code == 200
    assert response["Content-Language"] == "vi"
    assert '<html lang="vi">' in response.content.decode()


@pytest.mark.django_db
def test_home_in_english_under_en_prefix(client):
    response = client.get("/en/")
    assert response.status_code == 200
    assert '<html lang="en">' in response.content.decode()
    assert "Keeping children safe online" in response.content.decode()


@pytest.mark.django_db
def test_home_shows_the_child_helpline(client):
    assert 'href="tel:111"' in client.get("/").content.decode()
