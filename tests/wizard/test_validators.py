import pytest
from django.core.exceptions import ValidationError

from wizard.validators import validate_domain, validate_https_url, validate_question_name


@pytest.mark.parametrize("url", ["https://www.contoso.com/logo.png", "https://cdn.contoso.com/a/b.svg?x=1"])
def test_https_urls_are_accepted(url):
    validate_https_url(url)


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "JavaScript:alert(1)",
        "data:image/png;base64,AAAA",
        "http://www.contoso.com/logo.png",
        "//www.contoso.com/logo.png",
        "/static/logo.png",
        "https://",
        "https://exa mple.com/x.png",
        "ftp://contoso.com/logo.png",
    ],
)
def test_other_urls_are_refused_with_a_message_saying_what_to_do(url):
    with pytest.raises(ValidationError) as error:
        validate_https_url(url)
    assert "https" in str(error.value) or "URL" in str(error.value)


@pytest.mark.parametrize("domain", ["contoso.com", "www.contoso.com", "*.contoso.com", "a-b.contoso.co.uk"])
def test_valid_domains(domain):
    validate_domain(domain)


@pytest.mark.parametrize(
    ("domain", "hint"),
    [
        ("https://contoso.com", "without http"),
        ("http://contoso.com", "without http"),
        ("contoso.com/path", "without a path"),
        ("contoso.com:8080", "without a path or port"),
        ("www.*.contoso.com", "wildcard"),
        ("*.com", "wildcard"),
        ("contoso", "full domain"),
        ("-bad-.contoso.com", "not a valid domain"),
        ("<script>.com", "not a valid domain"),
        ("münchen.de", "in its ASCII form: xn--mnchen-3ya.de instead of münchen.de"),
        ("*.bücher.example", "*.xn--bcher-kva.example instead"),
        ("www." + "b" * 74 + ".com", "at most 63 characters; one here has 74"),
        ("straße.de", "xn--strae-oqa.de instead of straße.de"),  # as browsers convert it, not strasse.de
    ],
)
def test_invalid_domains_say_what_is_wrong(domain, hint):
    with pytest.raises(ValidationError) as error:
        validate_domain(domain)
    assert hint in str(error.value)


@pytest.mark.parametrize("name", ["Name", "Email", "CaseNumber", "order_id2"])
def test_question_names(name):
    validate_question_name(name)


@pytest.mark.parametrize("name", ["2fast", "with space", "<b>", "é", "질문", "Ｑ４"])
def test_bad_question_names(name):
    with pytest.raises(ValidationError) as refused:
        validate_question_name(name)
    # "a letter" alone would read as any letter to an author who writes Korean or full-width letters.
    assert "a letter A–Z" in refused.value.messages[0]


def test_dataverse_length_counts_utf16_code_units():
    from wizard.validators import dataverse_length, fit_dataverse_length

    assert dataverse_length("abc") == 3
    assert dataverse_length("한글") == 2
    assert dataverse_length("😀") == 2
    assert fit_dataverse_length("ab😀", 3) == "ab"  # never half a character
    assert fit_dataverse_length("ab😀", 4) == "ab😀"
    assert fit_dataverse_length("x" * 150, 100) == "x" * 100
