from wizard.models.channel import Channel, ChannelStatus
from wizard.models.choices import ChoiceSnapshot
from wizard.models.publishing import PublishAttempt
from wizard.models.revision import ReviewComment, Revision

__all__ = ["Channel", "ChannelStatus", "ChoiceSnapshot", "PublishAttempt", "ReviewComment", "Revision"]
