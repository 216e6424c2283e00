from wizard.models.channel import Channel, ChannelStatus
from wizard.models.publishing import PublishAttempt
from wizard.models.revision import ReviewComment, Revision

__all__ = ["Channel", "ChannelStatus", "PublishAttempt", "ReviewComment", "Revision"]
