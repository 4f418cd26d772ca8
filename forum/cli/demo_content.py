"""The demo community's static content: named users, categories and their topic texts, and the outage wave."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from forum.models import IDEA_KIND, Role, ThreadKind

# (username, display name, role): the documented demo sign-ins come first.
NAMED_USERS: tuple[tuple[str, str, Role], ...] = (
    ("admin", "Alex Admin", Role.ADMIN),
    ("ana", "Ana Souza", Role.MEMBER),
    ("leo", "Leo Park", Role.ADVOCATE),
    ("maya", "Maya Moderator", Role.MODERATOR),
    ("sam", "Sam Agent", Role.AGENT),
)
FIRST_NAMES = (
    "ben", "chloe", "dev", "elena", "farid", "grace", "hiro", "isla", "jonas", "kemi", "lars", "mei",
    "nadia", "omar", "pia", "quinn", "rosa", "tariq", "uma", "victor", "wen", "yara", "zoe", "arjun",
    "bea", "carlos", "dina", "emil", "fatima", "gus", "hana", "ivan", "jade", "kofi", "lina", "milo",
)
SURNAME_INITIALS = "bcdfghjklmnprstvw"
# Roles for generated users, cycled: mostly members, a few advocates and staff.
EXTRA_ROLES = (Role.MEMBER,) * 5 + (Role.ADVOCATE,) + (Role.MEMBER,) * 4 + (Role.AGENT, Role.MODERATOR)


class Issue(NamedTuple):
    """One recurring support question and the answer that usually solves it."""

    title: str
    setup: str
    symptom: str
    fix: str
    error: str = ""


@dataclass(frozen=True)
class Topic:
    """A category and the raw material for its questions and answers."""

    slug: str
    name: str
    description: str
    issues: tuple[Issue, ...]
    tried: tuple[str, ...]
    tags: tuple[str, ...]
    kind: str = ThreadKind.QUESTION.value
    in_time: float = 0.8  # the share of its questions that get a first reply within the first-reply target


TOPICS: tuple[Topic, ...] = (
    Topic(
        "getting-started", "Getting started", "New here? Setting up your account, service and first steps.",
        (
            Issue("Activation email never arrived", "new account", "I signed up yesterday but got no email.",
                  "Activation emails can take up to an hour. If it's still missing:\n\n1. Open **Sign in → Resend "
                  "activation**\n2. Add `no-reply@horseshoe.local` to your contacts\n3. Check the *Promotions* tab"),
            Issue("Which plan should I pick for working from home?", "Fibre 75", "Two of us do video calls all day.",
                  "For two people on calls, **Fibre 150** is plenty. Upload matters more than download for calls."),
            Issue("Moving house: how do I transfer my service?", "Fibre 150", "I'm moving next month.",
                  "Start in **Account → Moving house** at least two weeks ahead; you pick the switch-over date and "
                  "keep your number."),
            Issue("Can't finish the sign-up form", "Firefox on Windows", "The last step spins after Continue.",
                  "That 502 was a short outage on our side. Private windows also dodge stale cookies: try again in "
                  "one.", "Error 502: upstream timed out"),
            Issue("Where do I find my customer number?", "phone support menu", "The phone menu asks for it.",
                  "It's on the first page of every bill, top right. In the app it's under **Account → Details**."),
            Issue("Email already registered but I never signed up", "sign-up form", "It says my email is taken.",
                  "You may have an account from an old plan or a shop sign-up. Use **Forgot your password?** with "
                  "that email; if no mail comes, staff can check which account holds it."),
            Issue("How do I add a second person to my account?", "family account", "My partner wants to see the "
                  "bills too.", "Go to **Account → People** and invite them by email. They get their own sign-in "
                  "and you choose what they can see."),
        ),
        ("checked the spam folder", "tried another browser", "waited 24 hours", "searched the help centre"),
        ("signup", "activation", "plans", "moving", "account"),
        in_time=0.93,
    ),
    Topic(
        "billing-accounts", "Billing & accounts", "Invoices, payments, refunds, plan changes and account access.",
        (
            Issue("Charged twice this month", "direct debit", "My bank shows two identical charges on one day.",
                  "A double charge is usually a pending authorisation that drops off in 3–5 working days. Still "
                  "there after a week? Post the dates (never the card number!) and staff will check."),
            Issue("How do I download a VAT invoice?", "business account", "Accounting needs our company name on it.",
                  "Invoices are under **Billing → Documents**. For the company name:\n\n1. Go to **Account → "
                  "Billing details**\n2. Fill in *Company* and *VAT number*\n3. Regenerate the invoice"),
            Issue("Card payment keeps failing", "Visa debit card", "Every card update says the payment was declined.",
                  "Code 05 comes from your bank, not from us. Ask them to allow recurring payments to Horseshoe.",
                  "PAYMENT_DECLINED (code 05): do not honour"),
            Issue("Bill is higher than my plan price", "Fibre 150", "My plan is 35 a month; this bill is 52.80.",
                  "The first bill after a plan change has a part-month of each plan (pro rata). The next one is "
                  "back to normal."),
            Issue("Refund for last week's outage still missing", "Fibre 300", "Support promised a credit.",
                  "Outage credits show up on the *next* bill, not as a refund to your card. Look for a line called "
                  "**Service credit**."),
            Issue("Locked out after too many sign-in attempts", "online account", "I mistyped my password a few times.",
                  "The lock lifts by itself after 30 minutes. Then use **Forgot your password?** instead of guessing."),
            Issue("Can I move my direct debit date?", "direct debit", "My salary arrives on the 28th, the debit "
                  "comes on the 1st.", "Yes: **Billing → Payment method → Collection day**. Any day from the 1st "
                  "to the 28th; the change applies from the next bill."),
            Issue("Early termination fee looks wrong", "Fibre 300, 24-month contract", "I was quoted 90 but the "
                  "final bill says 240.", "The fee is half the monthly fees left on the contract. Check the end date "
                  "in **Account → Contract**; if the bill disagrees, staff can recalculate it.",
                  "Early termination charge: 240.00"),
        ),
        ("checked my bank app", "cleared cookies", "used a different card", "read the billing FAQ"),
        ("billing", "refund", "invoice", "payments", "account-access"),
        in_time=0.7,
    ),
    Topic(
        "connectivity-devices", "Connectivity & devices", "Wi-Fi, speed, routers, mesh extenders and TV boxes.",
        (
            Issue("Wi-Fi drops every evening", "X200 router", "Around 8 pm the Wi-Fi drops for a minute or two.",
                  "Evening drops are often channel congestion:\n\n1. Open `http://192.168.1.1`\n2. Under **Wi-Fi → "
                  "2.4 GHz** pick channel 1, 6 or 11\n3. Turn on *Smart Connect* so phones move to 5 GHz"),
            Issue("Speed is half of what I pay for", "Fibre 150, X200 router", "Speed tests show about 70 Mb.",
                  "Test on a cable first; Wi-Fi speed tests mislead. From a wired laptop:\n\n```\nping -c 20 "
                  "192.168.1.1\n```\n\nLosing packets on the cable too means it's the line, not the Wi-Fi.",
                  "Download: 71.3 Mbps\nUpload: 9.8 Mbps\nPing: 38 ms"),
            Issue("Red light on the router", "X200 router", "The internet light went red and nothing connects.",
                  "Red means no sync with the exchange. Check the fibre cable clicks in at both ends, then hold "
                  "reset for **10 seconds**."),
            Issue("Mesh extender won't pair", "M2 mesh extender", "It blinks orange forever during pairing.",
                  "Pair it within 2 metres of the router, then move it. Press WPS on the router *after* the "
                  "extender blinks white."),
            Issue("TV box buffers in the evening", "TV box, Fibre 75", "Streams buffer every few minutes at night.",
                  "Plug the TV box in with a cable if you can, and set it to **Auto** quality rather than *4K*."),
            Issue("Can't reach my NAS after the router swap", "X300 router, Synology NAS", "The NAS is unreachable.",
                  "The X300 doesn't forward `.local` names between bands. Give the NAS a fixed address under "
                  "**LAN → DHCP reservations** and use that.", "ping: nas.local: Name or service not known"),
            Issue("Smart TV keeps dropping off the Wi-Fi", "TV on the X200 router", "The TV loses Wi-Fi every few "
                  "hours.", "TVs often pick 2.4 GHz and then doze off. Give 5 GHz its own name under **Wi-Fi → "
                  "Bands**, connect the TV to it, and turn off the TV's *Network standby*."),
            Issue("Ports for my game server won't open", "X300 router", "Friends can't join the server I host.",
                  "Add the rule under **Advanced → Port forwarding** for the server's fixed address, and turn off "
                  "*Double NAT* if you run a second router behind ours.", "NAT type: Strict"),
        ),
        ("restarted the router", "moved the router higher up", "tried a cable", "factory reset", "updated firmware"),
        ("wifi", "speed", "router", "mesh", "tv", "networking"),
        in_time=0.92,
    ),
    Topic(
        "apps-integrations", "Apps & integrations", "The mobile app, two-factor sign-in, and connecting other tools.",
        (
            Issue("App crashes on start after the update", "Android app 4.2, Pixel 7", "It closes right after opening.",
                  "Clear the app's storage (**Settings → Apps → Horseshoe → Storage → Clear**) and sign in again. "
                  "4.2.1 with a fix is rolling out."),
            Issue("Lost my phone with the 2FA codes", "authenticator app", "My phone was stolen last night.",
                  "Use one of the backup codes you saved when turning on 2FA. No codes? Staff can verify you another "
                  "way; never post personal details here."),
            Issue("Slack notifications stopped", "Slack integration", "Our channel stopped getting outage alerts.",
                  "Slack tokens expire after a workspace admin change. Remove the integration under **Apps → "
                  "Connected** and add it again."),
            Issue("API returns 429 Too Many Requests", "public API, Python script", "We poll usage every minute.",
                  "The API allows 30 requests a minute. Respect `Retry-After`, or ask for daily usage:\n\n```python\n"
                  "response = session.get(url, params={\"period\": \"day\"})\nif response.status_code == 429:\n"
                  "    time.sleep(int(response.headers[\"Retry-After\"]))\n```",
                  'HTTP/1.1 429 Too Many Requests\nRetry-After: 60\n{"title": "Rate limit exceeded"}'),
            Issue("Calendar sync creates duplicate events", "Google Calendar sync", "Engineer visits show up twice.",
                  "You probably connected the calendar twice (app *and* web). Disconnect one under **Apps → "
                  "Connected**; the duplicates disappear at the next sync."),
            Issue("Two-factor codes are always rejected", "authenticator app, iPhone", "Every code I type is "
                  "refused.", "The codes depend on your phone's clock. Turn on **Set automatically** under *Date & "
                  "Time*, then try a fresh code.", "Invalid verification code"),
            Issue("Usage widget shows zero data", "iOS app 5.0", "The home-screen widget says 0 GB every day.",
                  "Open the app once after updating: the widget needs a fresh sign-in. Then remove and add the "
                  "widget again."),
        ),
        ("reinstalled the app", "logged out and in again", "reconnected the integration", "read the API docs"),
        ("app", "2fa", "slack", "api", "calendar", "android", "ios"),
        in_time=0.88,
    ),
    Topic(
        "feature-ideas", "Feature ideas", "Suggest and discuss improvements; the product team reads every one.",
        (
            Issue("Dark mode for the app", "iPhone app", "Checking outages at night with the bright app hurts.",
                  "+1 from me. A simple toggle would be enough to start with."),
            Issue("Export usage to CSV", "account page", "I'd like monthly data usage in a spreadsheet.",
                  "Yes please. Even better in the weekly email:\n\n- current usage\n- days left in the cycle\n- a link "
                  "to change plan"),
            Issue("Alerts before I reach my data cap", "Mobile 20 GB", "A warning at 80% would avoid surprises.",
                  "+1, and let us choose the threshold."),
            Issue("Schedule Wi-Fi off for the kids' devices", "X200 router", "Bedtime for phones, basically.",
                  "The X200 has *Access control* but it's buried. A schedule in the app would be much nicer."),
            Issue("Show planned maintenance in the app", "Android app", "I'd plan my day around it.",
                  "Thanks for the idea! I've shared it with the product team and will post here when there's news."),
            Issue("Let me pick a time slot for engineer visits", "account page", "Whole-day windows mean a day off "
                  "work.", "+1, even a morning or afternoon choice would help."),
        ),
        (),
        ("idea", "app", "usage", "parental-controls", "notifications"),
        kind=IDEA_KIND,  # an ideas category: its threads are ideas members vote for (forum.cli.demo_ideas)
    ),
)

TITLE_FORMS = ("{title}", "{title}", "{title} ({setup})", "{title}, any ideas?", "Help: {title}")
GREETINGS = ("Hi all,\n\n", "Hello!\n\n", "", "Hi everyone, first post here.\n\n", "Hey,\n\n")
SINCE = ("last week", "the last update", "Monday", "a few days ago", "this morning", "yesterday")
CLOSINGS = ("Any ideas?", "Has anyone else seen this?", "What should I try next?", "Thanks in advance!",
            "Is this a known problem?")
OPENERS = ("I had the same thing last month.", "This one comes up a lot.", "Try this, it worked for me:",
           "Good question.", "")
STAFF_OPENERS = ("Thanks for the detailed post, that helps.", "Sorry about the trouble.", "Happy to help with this.")
# A first suggestion that does not solve it, and the asker saying so ({helper}: who suggested it).
FIRST_TRIES = ("Have you tried turning it off properly? Unplug it for a full minute, then start it again.",
               "First thing I'd check: is there an outage in your area? The status page lists them by postcode.",
               "Does it happen on every device, or just one? That tells you whether it's the account or the device.",
               "Sometimes it's just a stale session: sign out everywhere and sign in again.")
STILL_STUCK = ("Thanks {helper}, tried that already. Still the same.",
               "Did that, no change. Anything else I can check?",
               "It happens on every device, so it's not just my phone.",
               "Tried that, still the same here. Any other ideas?")
THANKS = ("Thanks, that fixed it!", "That worked, thank you {helper}!", "Update: that was it. All good now.",
          "Perfect, sorted. Marking this as the solution.", "That did the trick, thanks {helper}. Saved me a call.")
SECONDS = ("Same problem here, and what {helper} said fixed it for me too.", "Can confirm, {helper} is right.",
           "One more tip: restart once more after changing it, it didn't stick for me at first.")
BUMPS = ("Anyone? Still stuck on this.", "Bumping this: it happened again today.")
DISCUSSION_REPLIES = ("+1, I'd use this every day.", "Same here. It would save me a call to support every month.",
                      "Good idea. Could it work on the web account page too, not only in the app?",
                      "Yes please, and make it optional for people who don't want it.")
# Staff asking the asker for details (the question then waits for them: needs info).
INFO_QUESTIONS = ("Thanks for the report. Which firmware version does the router show under **System → About**? "
                  "That tells us which fix applies.",
                  "Could you tell us when it started, and whether anything changed that day (a new device, a moved "
                  "router, a plan change)?",
                  "To look into this we need a little more: which device and app version are you on?")

# A big enough demo ends with these look-alike questions, for the incident detector to find.
OUTAGE_QUESTIONS = [
    ("Sign-in fails with error 503", "Since a few minutes ago the sign-in page answers error 503."),
    ("Error 503 when I log in", "I enter my password and get error 503. Is the sign-in service down?"),
    ("Can't sign in: 503 Service Unavailable", "The sign-in page shows 503 Service Unavailable on every device."),
    ("Getting error 503 at sign-in today", "Every sign-in attempt ends with error 503, I tried two browsers."),
    ("App sign-in broken, error 503", "My sign-in keeps failing with a 503 error, reinstalling did not help."),
]
