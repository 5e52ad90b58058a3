from __future__ import annotations

from typing import Any

from django import forms, template
from django.core.exceptions import NON_FIELD_ERRORS

register = template.Library()


@register.inclusion_tag("partials/error_summary.html")
def error_summary(form: forms.BaseForm | None) -> dict[str, Any]:
    """The list of problems at the top of a form, each linking to its field."""
    # A message is a string or a lazy one (an ErrorList yields its errors' messages).
    items: list[dict[str, object]] = []
    if form is None or not form.is_bound:
        return {"items": items}
    # Django's own "This field is required." names no field, so the summary adds the label; in
    # the page's language, as the form's errors are.
    generic = str(forms.Field.default_error_messages["required"])
    for name, errors in form.errors.items():
        anchor = None
        label = ""
        if name != NON_FIELD_ERRORS and name in form.fields:
            bound = form[name]
            anchor = bound.auto_id
            if isinstance(bound.field.widget, forms.RadioSelect | forms.CheckboxSelectMultiple):
                anchor = f"{anchor}_0"  # the group's first option
            label = str(bound.label)
        for message in errors:
            text = f"{label}: {message}" if label and message == generic else message
            items.append({"anchor": anchor, "message": text})
    return {"items": items}
