"""From a revision's wizard data to the Dataverse rows a publish writes.

Every value is read through the reader of a draft's values (:mod:`wizard.values`): cleaned by the
step form's fields, and empty where the layout hides the field, so a hidden value (an offline title
while the widget is not limited to operating hours, an existing queue while "Create new" is chosen) is
never written. The package: ``tables`` (the Dataverse tables and option values, apart from any rule),
``columns`` (wizard field → widget column, and the fields handled elsewhere), ``references`` (the rows
looked up in the org), ``builders`` (one small builder per table) and ``plan`` (the ordered publish
plan). Pure functions, no I/O: :func:`references` says which reference rows must be looked up in the org
(language, existing queue, workstream, operating hours, authentication settings, survey),
:func:`build_plan` turns the data, the resolved references and the child rows that already exist
into an ordered list of upserts and deletes. Row ids are deterministic
(``uuid5(NAMESPACE, "<channel>:<environment>:<table>:<key>")``), so writing the same plan twice
changes nothing and a retried write never duplicates a row.

Adding a wizard field means adding it to its step's form and to one table below: ``WIDGET_FIELDS``
(a field that lands in a chat widget column) or ``HANDLED_FIELDS`` (a field that shapes another row,
or that the publish deliberately does not write, with the reason). The system checks in
``wizard.checks`` (``manage.py check``) make sure every form field appears in exactly one of them.

Decisions on the reference's unverified points (``dataverse-model.md``, "Open questions"), in one place:

1. Language: the widget's newer lookup ``msdyn_ocwidgetlanguage`` (bound through
   ``msdyn_ocWidgetLanguage`` to the ``msdyn_oclanguages`` row whose ``msdyn_localeid`` is the chosen
   locale) plus ``msdyn_autodetectlanguage``. The older ``msdyn_widgetlocale`` lookup and the legacy
   ``msdyn_language`` choice (only Auto-detect/English) are not written.
2. Fallback queue = the workstream's ``msdyn_defaultqueue``. A new fallback queue is an Omnichannel
   messaging queue (``msdyn_isomnichannelqueue`` true, ``msdyn_queuetype`` 192350000) with priority
   ``QUEUE_PRIORITY``: unified routing serves a queue with a smaller number first
   (ce/customer-service/administer/queues-omnichannel.md, "Configure queue prioritization"). The
   admin center's "Create a queue" dialog asks for the number and the workstream dialog's "Create new"
   fallback queue does not; no page states the number it then stores (UNVERIFIED). A large number
   (10,000, which the emulator also gives its out-of-the-box queues) keeps a new fallback queue from
   being served before every queue the org already has, as priority 1 (the highest) would.
   Only an active Omnichannel messaging queue can be a chat workstream's fallback queue
   ("for routing rules for a live chat workstream, only messaging type queues are shown", same page);
   the wizard offers only those and the publish refuses any other (see ``fallback_queue_problem``).
3. "Show widget only during operating hours" binds ``msdyn_operatinghourid``;
   ``msdyn_showwidgetduringofflinehours`` is true only when the author chose to show the widget with
   an offline message outside those hours (false = hidden outside hours). With the toggle off the
   lookup is cleared. The offline widget uses the same theme colour as the online one.
4. ``msdyn_timetoreconnectwithpreviousagent`` is written in minutes (Dataverse's Duration format);
   the wizard asks for minutes.
5. ``msdyn_showagentname`` carries the "Anonymize agent" toggle (its admin-center label), with
   ``msdyn_genericagentdisplayname`` as the name shown instead.
6. Provider and template fields (``msdyn_emailtemplate``, ``msdyn_mailbox``,
   ``msdyn_screensharingprovider``, ``msdyn_cobrowseprovider``) are written as the text the author
   typed (unique name / address). Dependent fields are cleared (null) when their toggle is off.
7. Pre-chat questions: one ``msdyn_surveyquestion`` per question, owned by the channel's workstream,
   and one ``msdyn_questionsequence`` per question (type 192350001, pre-chat unauthenticated) pointing
   at the widget. The options of an option-set question (typed separated by semicolons) are one
   ``msdyn_chatansweroption`` row each, linked to the question by ``msdyn_AnswerOptionsId``; each
   question also gets the Text context variable (``msdyn_ocliveworkstreamcontextvariable``) the admin
   center adds to the workstream. Both keep deterministic ids and are deleted when a newer revision
   drops them. The widget's ``msdyn_prechatquestionnaire*`` lookups are left alone. Whether Dataverse
   itself adds the context variable when a question is created through the Web API is UNVERIFIED; if
   it did, the workstream would show the variable twice.
8. An existing workstream is linked, never modified: the distribution mode, persistent-chat and
   fallback-queue choices apply only to a workstream the channel creates, and the widget follows the
   existing workstream's conversation mode. The channel's own rows still go on it (its pre-chat
   questions and their context variables). Workstreams and queues are never deleted by a publish
   (other channels or routing rules may use them); only the channel's child rows (domains, question
   sequences and their questions, answer options and context variables, automated messages) that a
   newer revision dropped are deleted.
9. Automated messages are addressed to the customer (``msdyn_messagereceiver`` 192350001), type
   Automated Message (2), in the widget's language, linked to the widget by ``msdyn_widgetid`` and,
   as the admin center does, by the widget's id in ``msdyn_instanceid`` ("ID of the instance this
   system message is related to, represented in text form": the live-chat sample schema in
   microsoft/Dynamics365-Apps-Samples exports a widget's messages by ``msdyn_instanceid like
   '%<widget id>%'``). Their names are ``<channel name> <trigger>.<n>``, shortened to fit.
   ``msdyn_widgetappid`` and ``msdyn_widgetsnippet`` are generated by the service and never written.
10. Text lengths are counted as Dataverse counts them, in UTF-16 code units
   (:func:`wizard.validators.dataverse_length`; INFERRED from Dataverse being a .NET service, where a
   string's length is its count of UTF-16 code units). Names the portal derives are cut to fit
   (:func:`derived_name`); text the author types is refused by the step form when too long.
"""

from publishing.mapping.binding import NO_BINDING, Binding
from publishing.mapping.builders import MappingError, Operation, derived_name
from publishing.mapping.columns import HANDLED_FIELDS, WIDGET_FIELDS, Column, widget_columns
from publishing.mapping.plan import (
    Plan,
    build_plan,
    context_variable_id,
    question_id,
    question_keys,
    widget_id,
)
from publishing.mapping.references import (
    QUEUE_ACTIVE,
    REFERENCE_COLUMNS,
    WORKSTREAM_CONVERSATION_MODE,
    Reference,
    fallback_queue_problem,
    references,
)
from publishing.mapping.tables import *  # noqa: F403  (the catalogue: tables and option values)
from publishing.mapping.tables import CHILD_LINKS, QUESTION_CHILDREN, Table, bind, is_guid, row_id

__all__ = [
    "NO_BINDING",
    "Binding",
    "CHILD_LINKS",
    "HANDLED_FIELDS",
    "QUESTION_CHILDREN",
    "QUEUE_ACTIVE",
    "REFERENCE_COLUMNS",
    "WIDGET_FIELDS",
    "WORKSTREAM_CONVERSATION_MODE",
    "Column",
    "MappingError",
    "Operation",
    "Plan",
    "Reference",
    "Table",
    "bind",
    "build_plan",
    "context_variable_id",
    "derived_name",
    "fallback_queue_problem",
    "is_guid",
    "question_id",
    "question_keys",
    "references",
    "row_id",
    "widget_columns",
    "widget_id",
]
