"""WhatsApp's published template limits, in one place (`template_parts.WHATSAPP_LIMITS`): a
template at every limit passes, one a step beyond any of them is refused in one sentence that
names the limit; and the template list is read template by template on the real sandbox, so a
malformed one is left out and counted while the rest stay usable."""

from __future__ import annotations

from typing import Any

import pytest

from tui.core.errors import PolicyRefusal
from tui.core.models import Template
from tui.core.template_parts import WHATSAPP_LIMITS, check_limits, limit_problem


def at_the_limits(**changes: Any) -> Template:
    """The largest template the limits allow, with `changes` applied to its parts."""
    body_vars = changes.get("body_vars", WHATSAPP_LIMITS.body_variables)
    body = " ".join(f"{{{{{n}}}}}" for n in range(1, body_vars + 1))
    body += "." * (changes.get("body_chars", WHATSAPP_LIMITS.body_chars) - len(body))
    header = "Order {{1}}" + ("" if changes.get("header_vars", 1) == 1 else " {{2}}")
    header += "h" * (changes.get("header_chars", WHATSAPP_LIMITS.header_chars) - len(header))
    url = changes.get("url", WHATSAPP_LIMITS.url_buttons)
    phone = changes.get("phone", WHATSAPP_LIMITS.phone_buttons)
    quick = changes.get("buttons", WHATSAPP_LIMITS.buttons) - url - phone
    buttons = [{"type": "URL", "text": f"U{n}", "url": f"https://e.test/{n}/{{{{1}}}}"} for n in range(url)]
    buttons += [{"type": "PHONE_NUMBER", "text": "Call", "phone_number": "+1555"}] * phone
    buttons += [{"type": "QUICK_REPLY", "text": f"Q{n}"} for n in range(quick)]
    return Template.model_validate(
        {
            "name": "biggest",
            "components": [
                {"type": "HEADER", "format": "TEXT", "text": header},
                {"type": "BODY", "text": body},
                {"type": "FOOTER", "text": "f" * changes.get("footer_chars", WHATSAPP_LIMITS.footer_chars)},
                {"type": "BUTTONS", "buttons": buttons},
            ],
        }
    )


def test_a_template_at_every_limit_is_allowed() -> None:
    template = at_the_limits()
    assert len(template.component("BODY").text or "") == 1024  # type: ignore[union-attr]
    assert limit_problem(template) is None
    check_limits(template)


@pytest.mark.parametrize(
    ("changes", "said"),
    [
        ({"buttons": 11}, "has 11 buttons and WhatsApp allows at most 10"),
        ({"url": 3}, "has 3 URL buttons and WhatsApp allows at most 2"),
        ({"phone": 2}, "has 2 phone-number buttons and WhatsApp allows at most 1"),
        ({"body_chars": 1025}, "has 1,025 characters of body text and WhatsApp allows at most 1,024"),
        ({"header_chars": 61}, "has 61 characters of header text and WhatsApp allows at most 60"),
        ({"footer_chars": 61}, "has 61 characters of footer text and WhatsApp allows at most 60"),
        ({"header_vars": 2}, "has 2 header variables and WhatsApp allows at most 1"),
        ({"body_vars": 101}, "has 101 body variables and WhatsApp allows at most 100"),
    ],
)
def test_one_step_beyond_a_limit_is_refused_in_one_sentence(changes: dict[str, int], said: str) -> None:
    template = at_the_limits(**changes)
    with pytest.raises(PolicyRefusal) as caught:
        check_limits(template)
    sentence = caught.value.sentence
    assert sentence == (
        f"The template 'biggest' {said}, so it cannot be sent; fix it in WhatsApp Manager or pick "
        "another template."
    )
    assert caught.value.reason == "template_over_limits"


def test_a_thousand_buttons_or_variables_are_refused_without_reading_them_all() -> None:
    url_buttons = [{"type": "URL", "text": "x", "url": "https://e.test/{{1}}"}] * 1000
    many_buttons = Template.model_validate(
        {"name": "b", "components": [{"type": "BUTTONS", "buttons": url_buttons}]}
    )
    assert "has 1,000 buttons" in (limit_problem(many_buttons) or "")
    body = " ".join(f"{{{{{n}}}}}" for n in range(1, 1001))
    many_variables = Template.model_validate({"name": "v", "components": [{"type": "BODY", "text": body}]})
    assert "characters of body text" in (limit_problem(many_variables) or "")
    hostile = Template.model_validate({"name": "\x1b[31mred\u202e" + "n" * 500, "components": []})
    sentence = limit_problem(hostile.model_copy(update={"components": many_buttons.components}))
    assert sentence is not None and "\x1b" not in sentence and "\u202e" not in sentence
    assert len(sentence) < 250
