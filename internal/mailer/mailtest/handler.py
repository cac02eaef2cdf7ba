# A Maildir-keeping SMTP handler for Broadsheet's tests: recipients whose
# address begins with "bounce" are refused for good (550), with "busy" for
# now (451); every other message is kept in the Maildir.
from aiosmtpd.handlers import Mailbox


class Handler(Mailbox):
    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith("bounce"):
            return "550 5.1.1 No such user here"
        if address.startswith("busy"):
            return "451 4.3.0 Mailbox busy, try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"
