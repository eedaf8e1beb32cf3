"""`briefgen templates list | eject | context`: the editors' template tools on the command line."""

from __future__ import annotations

from pathlib import Path

import click

from briefgen.flags import common_options, desk_argument, desk_folder


@click.group()
@common_options
def templates() -> None:
    """See, copy and document the templates (the desk's templates/ folder comes first)."""


@templates.command("list")
@common_options
@desk_argument
def templates_list(desk: Path) -> None:
    """Every template: built-in, or the desk's own (and which built-in one it replaces)."""
    from briefgen.render.editors import list_templates

    for entry in list_templates(desk_folder(desk)):
        where = f"  {entry.desk_file}" if entry.desk_file else ""
        click.echo(f"{entry.name:<34} {entry.origin}{where}")


@templates.command("eject")
@common_options
@click.argument("name")
@desk_argument
@click.option("--extend", is_flag=True, help="Write a template that extends the built-in one (replace single blocks).")
@click.option("--force", is_flag=True, help="Replace the desk's template if it exists.")
def templates_eject(name: str, desk: Path, extend: bool, force: bool) -> None:
    """Copy the built-in template NAME into DESK/templates/ to start from."""
    from briefgen.render.editors import eject

    target = eject(desk_folder(desk), name, extend=extend, force=force)
    click.echo(f"wrote {target}: the desk's builds now use it")


@templates.command("context")
@common_options
def templates_context() -> None:
    """Print the reference of what templates can use (variables, filters, every field), in Markdown."""
    from briefgen.render.editors import context_reference

    click.echo(context_reference(), nl=False)
