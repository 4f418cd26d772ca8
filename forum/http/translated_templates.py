"""Templates compiled once per language, their fixed text translated while compiling (issue 27 item 4).

A page's template text is marked `{{ _("Reply") }}` or `{% trans %}`: at render time each is a call through
Jinja's context into the catalogue, about a hundred a thread page, a millisecond of every view that English
pages did not pay before Horseshoe had languages. The text of such a call never changes for a language, so
this environment translates it while the template compiles and keeps one compiled template per language and
name: the page writes a constant again, as it did when it was English only.

Only calls whose message is a literal are folded: `_("Reply")`, `_("%(n)s replies", n=count)` (the
translation becomes a constant %-formatted with the variables at render time, escaped under autoescape like
Jinja's own newstyle gettext), and `{% trans %}` blocks, which compile to the same calls. `ngettext`,
`pgettext` and `_(variable)` stay calls, answered by forum.core.i18n.template_callables as before.
"""

from __future__ import annotations

from flask.templating import Environment as FlaskEnvironment
from jinja2 import Template, nodes
from jinja2.utils import internalcode
from jinja2.visitor import NodeTransformer

from forum.core import i18n

GETTEXT_NAMES = frozenset({"_", "gettext"})


class _FoldTranslations(NodeTransformer):
    """Replace each `_("literal", **variables)` call with its translation in the catalogue given."""

    def __init__(self, catalogue) -> None:
        self.catalogue = catalogue

    def visit_Call(self, node: nodes.Call) -> nodes.Node:  # noqa: N802 (NodeTransformer's naming)
        node = self.generic_visit(node)
        message = _literal_message(node)
        if message is None:
            return node
        text = self.catalogue.ugettext(message)
        if node.kwargs:
            variables = nodes.Dict([nodes.Pair(nodes.Const(keyword.key), keyword.value) for keyword in node.kwargs])
            return nodes.Mod(nodes.MarkSafeIfAutoescape(nodes.Const(text)), variables, lineno=node.lineno)
        try:
            text = text % {}  # what the call did at render time: "%%" becomes "%"
        except (KeyError, ValueError, TypeError):
            return node  # a placeholder without its variable: leave the call to fail as it always did
        return nodes.MarkSafeIfAutoescape(nodes.Const(text), lineno=node.lineno)


def _literal_message(node: nodes.Call) -> str | None:
    """The message of a gettext call whose text is a literal and whose variables are plain keywords."""
    if not (isinstance(node.node, nodes.Name) and node.node.name in GETTEXT_NAMES and node.node.ctx == "load"):
        return None
    if len(node.args) != 1 or node.dyn_args is not None or node.dyn_kwargs is not None:
        return None
    argument = node.args[0]
    return argument.value if isinstance(argument, nodes.Const) and isinstance(argument.value, str) else None


class TranslatedEnvironment(FlaskEnvironment):
    """Flask's template environment, keeping a compiled template per (language, name).

    The language is the one being written when the template is first needed: a page's reader's, or the
    recipient's inside i18n.reading_as (emails), so `{% extends %}`, `{% include %}` and `{% import %}` load
    their templates in the same language as the page that asks for them.
    """

    def __init__(self, app, **options) -> None:
        options["cache_size"] = 0  # Jinja's own cache is keyed by name alone: replaced by the one below
        super().__init__(app, **options)
        self.compiled: dict[tuple[str, str], Template] = {}

    def make_globals(self, d=None) -> dict:
        """A template's globals as one flat dict, not Jinja's ChainMap over the environment's.

        Every `{% import %}` / `{% from … import %}` compares the page's global names with the imported
        template's (Template._get_default_module): against a ChainMap that is a Python-level lookup per
        name through each map, about 340 a thread page (issue 21); against a dict it is one C set operation.
        Horseshoe registers every global while the app is made (create_app), before any template loads, so
        a template never needs to see a global added after it was compiled.
        """
        return {**self.globals, **(d or {})}

    def _parse(self, source: str, name: str | None, filename: str | None) -> nodes.Template:
        tree = super()._parse(source, name, filename)
        return _FoldTranslations(i18n.translations()).visit(tree)

    @internalcode
    def _load_template(self, name: str, globals) -> Template:  # noqa: A002 (Jinja's own parameter name)
        key = (i18n.current_language(), name)
        template = self.compiled.get(key)
        if template is not None and (not self.auto_reload or template.is_up_to_date):
            if globals:
                template.globals.update(globals)
            return template
        template = super()._load_template(name, globals)
        self.compiled[key] = template
        return template
