"""A case's links become a JSON list, one entry a link, instead of newline-separated text
that three places parsed each in their own way. The cases and their history rows both
move, in both directions: back to one link a line."""

from django.db import migrations, models

MODELS = ("exemptioncase", "historicalexemptioncase")


def links_of(text: str) -> list[str]:
    """The links of the old text, one a line, without blank lines or surrounding spaces."""
    return [line.strip() for line in text.splitlines() if line.strip()]


def text_of(links: list[str]) -> str:
    return "\n".join(links)


def text_to_list(apps, schema_editor):
    for name in MODELS:
        manager = apps.get_model("clinics", name)._default_manager
        for pk, text in manager.exclude(links="").values_list("pk", "links").iterator():
            manager.filter(pk=pk).update(link_list=links_of(text))


def list_to_text(apps, schema_editor):
    for name in MODELS:
        manager = apps.get_model("clinics", name)._default_manager
        for pk, links in manager.values_list("pk", "link_list").iterator():
            if links:
                manager.filter(pk=pk).update(links=text_of(links))


class Migration(migrations.Migration):
    dependencies = [
        ("clinics", "0013_notification_delivery"),
    ]

    operations = [
        *(
            migrations.AddField(
                model_name=name,
                name="link_list",
                field=models.JSONField(blank=True, default=list),
            )
            for name in MODELS
        ),
        migrations.RunPython(text_to_list, list_to_text, elidable=False),
        *(migrations.RemoveField(model_name=name, name="links") for name in MODELS),
        *(
            migrations.RenameField(model_name=name, old_name="link_list", new_name="links")
            for name in MODELS
        ),
        *(
            migrations.AlterField(
                model_name=name,
                name="links",
                field=models.JSONField(
                    blank=True,
                    default=list,
                    help_text="The https links to the documents, in the order given.",
                    verbose_name="links to documents",
                ),
            )
            for name in MODELS
        ),
    ]
