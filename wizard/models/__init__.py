from wizard.models import states
from wizard.models.channel import Channel
from wizard.models.choices import ChoiceSnapshot
from wizard.models.publishing import PublishAttempt
from wizard.models.revision import ReviewComment, Revision
from wizard.models.states import ChannelStatus

__all__ = [
    "Channel",
    "ChannelStatus",
    "ChoiceSnapshot",
    "PublishAttempt",
    "ReviewComment",
    "Revision",
    "states",
]
