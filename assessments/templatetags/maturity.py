from django import template

register = template.Library()


@register.filter
def get_item(mapping, key):
    """Look up a dict entry by a variable key, which the template language cannot do itself."""
    if mapping is None:
        return None
    return mapping.get(key)
