"""Writes corpus.csv, the labelled comments `flask spam-eval` measures the spam filter on.

Every sentence here was written for this project: readers answering personal essays (the ham),
and the spam such a site gets (SEO link drops, flattery with a link, crypto and casino, pasted
chatbot answers, text copied from elsewhere). Comments are composed from these parts at random
with a fixed seed, so the file is reproducible: `python tests/data/spam/make_corpus.py`.
"""

from __future__ import annotations

import csv
import random
import re
from pathlib import Path

HAM_COUNT = 700
SPAM_PER_KIND = 200
SEED = 2026

ESSAYS = [
    {"author": "Ruth", "details": ["the running shoes by the door", "the last race you never finished", "your knee in the cold",
                                   "the morning you just walked instead", "the medal in the drawer"],
     "topic": "stopping running", "activity": "running"},
    {"author": "Tomás", "details": ["your father's tomatoes", "the shed that smelled of oil", "the seed packets with his handwriting",
                                    "the garden going to seed the first summer", "the rake you could not throw away"],
     "topic": "your father's garden", "activity": "gardening"},
    {"author": "Amira", "details": ["the flat above the bakery", "the last night on the fire escape", "the boxes you never unpacked",
                                    "the bus route you still know by heart", "leaving the keys on the counter"],
     "topic": "leaving the city", "activity": "moving house"},
    {"author": "Jonah", "details": ["your grandmother's dumplings", "the recipe card with the grease stain", "the pinch of salt she never measured",
                                    "cooking for one on a Sunday", "the smell of the kitchen in winter"],
     "topic": "cooking her recipes", "activity": "cooking"},
    {"author": "Priya", "details": ["deleting the app at midnight", "the phone in the kitchen drawer", "the silence of the first week",
                                    "writing letters again", "the friends who noticed and the ones who did not"],
     "topic": "leaving social media", "activity": "posting online"},
    {"author": "Mei", "details": ["the night shift at the hospital", "the vending machine coffee", "driving home at sunrise",
                                  "the patient who asked about the stars", "sleeping with the curtains taped"],
     "topic": "working nights", "activity": "working nights"},
    {"author": "Declan", "details": ["teaching your daughter to swim", "the cold lake in June", "letting go of her hands",
                                     "the towel that was too small", "her shouting that she could do it"],
     "topic": "the swimming lessons", "activity": "swimming"},
    {"author": "Ines", "details": ["your brother's letters", "the shoebox under the bed", "his terrible handwriting",
                                   "the letter you never answered", "reading them aloud to your mother"],
     "topic": "the letters", "activity": "writing letters"},
]
NAMES = ["Maria", "Sam", "Ola", "Kwame", "Hannah", "Lukas", "Fatima", "Joe", "Beatriz", "Niamh", "Arjun", "Greta",
         "Yusuf", "Clara", "Teo", "Rosa", "Ben", "Aiko", "Pedro", "Lena", "Marek", "Esther", "Ifeoma", "Dan"]
RELATIVES = ["mother", "father", "grandmother", "grandfather", "sister", "brother", "aunt", "uncle", "husband",
             "wife", "partner", "son", "daughter", "best friend", "neighbour"]
PLACES = ["Leeds", "a small town near Porto", "Glasgow", "the coast", "Kraków", "my parents' village", "Toronto",
          "a flat in Lyon", "the north of Sweden", "Cork", "Valparaíso", "the outskirts of Nairobi", "Ohio", "Hobart"]
YEARS = [str(year) for year in range(1979, 2025)]
SEASONS = ["spring", "summer", "autumn", "winter"]
OBJECTS = ["the old bicycle", "a cardigan with holes in the elbows", "his watch", "a chipped blue mug", "the notebook",
           "her reading glasses", "the car keys", "a tin of buttons", "the piano nobody played", "a map with pencil marks"]

HAM_OPENERS = [
    "This hit close to home.", "I read this twice, once on the bus and once at my kitchen table.",
    "Thank you for writing this, {author}.", "I've been sitting with this since this morning.",
    "Oh, {detail}. That got me.", "I don't usually comment, but I wanted to say something.",
    "I found this through a friend who sent it to me without a word, which says enough.",
    "Reading this with a cup of tea gone cold.", "{author}, this is so honest.", "I kept nodding all the way through.",
    "What a strange comfort to read this today.", "I needed this one.", "Well. I was not ready for the ending.",
    "So much of this is familiar.", "I laughed at the bit about {detail} and then I cried a little.",
    "Late to this, but here goes.", "Hm. I have mixed feelings about this one.", "My first time commenting here.",
    "I printed this and put it on the fridge, which I have never done with anything from the internet.",
    "Sat in the car park reading this before work.", "This is the third time I've come back to this essay.",
]
HAM_REACTIONS = [
    "The line about {detail} is going to stay with me.", "When you wrote about {detail}, I had to put my phone down for a minute.",
    "I think what you are describing is grief, even if you don't call it that.",
    "You made {topic} sound like something ordinary people are allowed to feel, and I'm grateful.",
    "The way you circle back to {detail} at the end is quietly perfect.",
    "I wish you had written more about the middle part, the years in between.",
    "It's rare to read something about {topic} that doesn't try to tie it up neatly.",
    "The paragraph about {detail} felt like you had been reading my diary.",
    "I'm not sure I agree that we should just let it go, though. For me holding on was the point.",
    "I think you're a bit hard on yourself in the second half.", "Honestly, I'd have made the same choice.",
    "There's a kind of courage in admitting you stopped, and nobody talks about it.",
    "You don't owe anyone a tidy ending, and I liked that you didn't give one.",
    "Some of this made me uncomfortable, in a useful way.", "I didn't expect an essay about {topic} to make me think of my {relative}.",
    "The detail about {detail} is the kind of thing only someone who lived it would know.",
    "I keep thinking about what you said, that the habit outlived the reason for it.",
    "It reminded me that not every loss comes with a funeral.",
]
HAM_STORIES = [
    "My {relative} did something similar in {year}, when we lived in {place}.",
    "I stopped {activity} the {season} after my {relative} died, and I only started again last year.",
    "We still have {object} in a cupboard and nobody can bring themselves to move it.",
    "When I was small, my {relative} used to take me to {place} every {season}, and this brought all of it back.",
    "I moved to {place} in {year} and spent the first months doing exactly what you describe.",
    "My {relative} never talked about any of this, so it was strange and lovely to read someone who does.",
    "I tried {activity} again a few weeks ago and it felt like meeting an old friend who had changed.",
    "For years I kept {object} on my desk without knowing why.",
    "My {relative} and I argued about this exact thing at Christmas, and now I wish I'd listened more.",
    "I did the opposite: I threw everything out in {year} and regretted it within a month.",
    "There was a {season} in {place} when I thought I'd never feel normal again, and then one day I did.",
    "The first time I went back to {place}, I sat in the car for an hour before I could go in.",
    "I work in a hospice and families say versions of this to me every week.",
    "My {relative} kept a notebook of small things like this; I found it after the funeral.",
    "I'm a nurse too, and the part about the quiet hours rang very true.",
    "I gave up {activity} for almost a decade. Coming back to it at fifty was humbling.",
]
HAM_QUESTIONS = [
    "Did you ever go back to {place}?", "How is your {relative} doing now?", "Do you still have {object}?",
    "Would you write more about what happened after?", "Did it get easier, or just different?",
    "Has anyone else here found a way through this?", "What made you decide to write it down now?",
    "Is there a book you'd recommend on this?", "Did your family read this before you published it?",
]
HAM_CLOSERS = [
    "Anyway, thank you.", "Looking forward to the next one.", "Sending you something warm from {place}.",
    "Take care of yourself.", "I'll be thinking about this all week.", "Thank you for putting it into words.",
    "Going to call my {relative} now.", "That's all. Just wanted you to know it landed.", "Be well.",
    "I hope the writing helped a little.", "Keep going.", "I'm sharing this with my {relative}.",
]
HAM_REPLIES = [
    "@{name} yes, exactly this.", "{name}, I had the same thought about the ending.",
    "I think {name} is right that it's about more than {topic}.", "@{name} I'm so sorry about your {relative}.",
    "Replying to {name}: I'd gently disagree, I read it as hopeful.", "{name}, thank you for sharing that about {place}.",
    "@{name} I went through the same in {year}. It does soften.",
]
HAM_LINKS = [
    "There's a short piece on this at https://en.wikipedia.org/wiki/Ambiguous_loss that helped me.",
    "If anyone wants it, the poem I mentioned is at https://www.gutenberg.org/ebooks/1322.",
    "The library near me runs a group about exactly this: https://www.leedslibraries.gov.uk/events",
    "I wrote about my {relative} on my own blog a while ago, nothing fancy.",
    "Mary Oliver has a line about this that I can't quite remember.",
    "The BBC did a radio programme about night workers last year, worth finding.",
]


def fill(template: str, rng: random.Random, essay: dict) -> str:
    values = {
        "author": essay["author"], "detail": rng.choice(essay["details"]), "topic": essay["topic"],
        "activity": essay["activity"], "name": rng.choice(NAMES), "relative": rng.choice(RELATIVES),
        "place": rng.choice(PLACES), "year": rng.choice(YEARS), "season": rng.choice(SEASONS), "object": rng.choice(OBJECTS),
    }
    return template.format(**values)


def ham(rng: random.Random) -> str:
    essay = rng.choice(ESSAYS)
    parts: list[str] = []
    shape = rng.random()
    if shape < 0.12:  # a short note
        parts = [rng.choice(HAM_OPENERS + HAM_CLOSERS + HAM_REACTIONS)]
    else:
        if rng.random() < 0.15:
            parts.append(rng.choice(HAM_REPLIES))
        if rng.random() < 0.75:
            parts.append(rng.choice(HAM_OPENERS))
        parts += rng.sample(HAM_REACTIONS, rng.choice([0, 1, 1, 2]))
        parts += rng.sample(HAM_STORIES, rng.choice([0, 1, 1, 2, 2]))
        if rng.random() < 0.35:
            parts.append(rng.choice(HAM_QUESTIONS))
        if rng.random() < 0.06:
            parts.append(rng.choice(HAM_LINKS))
        if rng.random() < 0.5:
            parts.append(rng.choice(HAM_CLOSERS))
        if not parts:
            parts.append(rng.choice(HAM_REACTIONS))
    text = " ".join(fill(part, rng, essay) for part in parts)
    if rng.random() < 0.2 and len(parts) > 2:  # paragraphs
        cut = rng.randrange(1, len(parts))
        text = " ".join(fill(p, rng, essay) for p in parts[:cut]) + "\n\n" + " ".join(fill(p, rng, essay) for p in parts[cut:])
    if rng.random() < 0.1:
        text = text.lower()
    if rng.random() < 0.1:
        text = text.rstrip(".")
    return text


# --- spam ---------------------------------------------------------------------------------------------

SPAM_DOMAINS = ["bestroofingpros", "cheap-dental-implants", "top10mattress-reviews", "seo-rankfast", "luxe-replica-watches",
                "quickloans-now", "ketoslim-official", "water-damage-experts", "movers-dallas-pro", "essaywriterhub",
                "backlinkboost", "plumber-near-me-24", "tradeprofitbot", "spinwin-casino", "bitcoinyield", "lucky7slots",
                "cbd-oil-store", "buy-followers-fast", "vpn-deals-today", "hairloss-cure-now", "roofers-london-co"]
TLDS = [".com", ".net", ".info", ".xyz", ".shop", ".online", ".co", ".biz", ".site", ".top"]
SERVICES = ["roof repair", "dental implants", "SEO services", "digital marketing", "water damage restoration",
            "local movers", "essay writing", "plumbing", "carpet cleaning", "web design", "link building",
            "payday loans", "house cleaning", "garage door repair", "AC repair", "pest control", "CBD gummies"]
CITIES = ["Dallas", "London", "Sydney", "Toronto", "Dubai", "Houston", "Manchester", "Los Angeles", "Melbourne", "Phoenix"]
SHORTENERS = ["https://bit.ly/", "https://tinyurl.com/", "https://cutt.ly/", "https://rb.gy/"]


def spam_url(rng: random.Random) -> str:
    if rng.random() < 0.08:
        return rng.choice(SHORTENERS) + "".join(rng.choice("abcdefghjkmnpqrstuvwxyz23456789") for _ in range(6))
    path = rng.choice(["", "/", "/best", "/offer", "/services", "/blog/" + rng.choice(["guide", "tips", "review"]), "/?ref=" + str(rng.randrange(100, 999))])
    return f"https://{rng.choice(['', 'www.'])}{rng.choice(SPAM_DOMAINS)}{rng.choice(TLDS)}{path}"


def link(rng: random.Random, anchor: str) -> str:
    url = spam_url(rng)
    return rng.choice([url, f"[{anchor}]({url})", f"{anchor}: {url}", f"<a href=\"{url}\">{anchor}</a>"])


SEO = [
    "Looking for the best {service} in {city}? {brand} offers affordable {service} with same day service. {link}",
    "We provide top rated {service} in {city} at the lowest price guaranteed. Call today or visit {link}",
    "Nice article. If you need professional {service} in {city}, check out {link}",
    "Great information about this topic. For {service} near you, {link} is the number one choice in {city}.",
    "{brand} is the leading {service} company in {city}. Free quote, licensed and insured. {link}",
    "Thanks for sharing. Our team offers {service}, {service2} and more. Learn more at {link}",
    "Best {service} {city} {year} - {brand} - 5 star reviews - {link}",
    "I found this post while searching for {service}. By the way we are expert in {service} in {city}: {link}",
    "Affordable {service} and {service2} packages for small business. Boost your ranking on Google today! {link}",
    "Get high quality {service} at cheap price. 100% satisfaction guaranteed. Order now {link}",
]
FLATTERY = [
    "Wow, this is a really {adj} post! I have bookmarked your site and will come back for more. {link}",
    "Hello, I enjoy reading all of your article. I like to write a little comment to support you. {link}",
    "Very {adj} blog! Do you have any tips for aspiring writers? I'm planning to start my own site soon. {link}",
    "Hi there, just became aware of your blog through Google, and found that it is truly {adj}. I will be grateful if you continue this in future. {link}",
    "This is the kind of {adj} content I have been looking for. Keep up the good work! {link}",
    "I must thank you for the efforts you've put in writing this website. I'm hoping to check out the same high-grade content from you later on as well. {link}",
    "Your writing style is {adj}. I shared this with my followers, they loved it. Check my page too {link}",
    "Excellent post. I was checking constantly this blog and I am impressed! Extremely {adj} information. {link}",
    "Pretty section of content. I just stumbled upon your weblog and in accession capital to assert that I acquire in fact enjoyed account your blog posts. {link}",
    "Amazing!! This blog looks exactly like my old one! It's on a entirely different subject but it has pretty much the same layout. {link}",
    "Thank you for every other {adj} post. Where else may just anybody get that type of information in such a perfect way of writing? {link}",
]
ADJECTIVES = ["informative", "helpful", "great", "wonderful", "fantastic", "useful", "awesome", "nice", "brilliant", "good"]
CRYPTO = [
    "Earn {n}% daily profit with our {coin} trading bot! No experience needed. Join now {link}",
    "I was skeptical but {coin} mining with {brand} changed my life. I withdrew ${amount} last week. {link}",
    "Best online casino {year}: get {n} free spins and a ${amount} no deposit bonus at {link}",
    "Want to double your {coin}? Send any amount and receive 2x back instantly. Limited offer {link}",
    "Play slots, poker and roulette with instant withdrawals. Welcome bonus {n}% up to ${amount}! {link}",
    "My {relative} introduced me to {brand} and now I make ${amount} a week from home with {coin}. {link}",
    "Huge airdrop live now!! Claim your free {coin} tokens before they are gone {link}",
    "Crypto recovery expert: lost your {coin} to a scam? Contact {brand} to get your funds back. {link}",
    "Sports betting tips with {n}% win rate. Join our VIP channel and start winning today {link}",
    "New {coin} presale is 100x potential, don't miss it. Whitelist closes soon {link}",
]
COINS = ["bitcoin", "BTC", "ethereum", "USDT", "solana", "dogecoin", "crypto", "BNB"]
BRANDS = ["ProFix", "BestChoice", "TopRank", "QuickPro", "EliteServ", "CryptoMax", "WinBig", "Prime Solutions", "Apex",
          "GoldenBet", "TrustTrade", "RankHigh", "SmartBuy", "MegaWin"]
CHATBOT_PREAMBLES = [
    "Certainly! Here's a thoughtful comment you could leave on this essay:", "Sure! Here is a heartfelt comment for this post:",
    "Here's a thoughtful comment you can use:", "Absolutely! Below is a warm, reflective comment:",
    "Of course! Here's a comment that captures the essay's emotional depth:", "", "", "",
]
CHATBOT_BODIES = [
    "What a beautifully written and deeply moving piece. Your reflections on {topic} resonate profoundly, reminding us that {lesson}.",
    "This essay is a poignant testament to the quiet power of {topic}. The way you weave {detail} into a broader tapestry of memory is truly remarkable.",
    "Your words capture the delicate balance between loss and hope. In a world that often rushes past such moments, your reflection on {topic} invites us to pause and reflect.",
    "Thank you for sharing such a vulnerable and insightful journey. It serves as a powerful reminder that {lesson}.",
    "The imagery of {detail} is both evocative and haunting, beautifully capturing the essence of {topic}.",
    "This piece delves into the complexities of {topic} with remarkable grace and authenticity.",
    "Your narrative seamlessly blends personal experience with universal truths, creating a resonant exploration of {topic}.",
    "Ultimately, this essay is a heartfelt celebration of resilience, memory, and the enduring bonds that shape who we are.",
    "It is a profound meditation on change, reminding readers that {lesson}.",
]
LESSONS = ["growth often begins in moments of stillness", "healing is not linear", "every ending holds the seed of a new beginning",
           "vulnerability is a source of strength", "the smallest moments often carry the greatest meaning",
           "letting go can be an act of love"]
CHATBOT_CLOSERS = [
    "If you want it sharper, softer, funnier, or more poetic, I can tune it however you like.",
    "Would you like me to make it shorter or more personal?", "Let me know if you'd like a more casual version!",
    "I hope this helps! Feel free to let me know if you want any changes.", "", "", "",
    "Would you like a few alternative versions with different tones?",
]
COPIED = [
    "{Subject} is one of the most important aspects of modern life. According to experts, there are several factors to consider when choosing {subject}. First, you should always compare prices. Second, read the reviews carefully. Finally, consult a professional before making any decision.",
    "The history of {subject} dates back to the early twentieth century, when it was first introduced in Europe. Today, {subject} is widely used around the world and the market is expected to grow by {n}% over the next five years.",
    "There are many benefits of {subject}. It improves health, saves money and increases productivity. Studies show that {n}% of people who use {subject} report higher satisfaction. In this article we will discuss the top ten tips for {subject}.",
    "{Subject} can be defined as a set of practices designed to improve overall quality. The main types of {subject} include residential, commercial and industrial. Each type has its own advantages and disadvantages which are explained below.",
    "Frequently asked questions about {subject}: How much does {subject} cost? The average cost ranges from ${amount} to ${amount2} depending on the location. How long does it take? Usually between two and five business days.",
    "In conclusion, {subject} plays a vital role in our daily lives. By following the steps mentioned above, you can make the most of {subject} and avoid common mistakes that many beginners make.",
    "Lorem ipsum dolor sit amet, consectetur adipiscing elit. {Subject} sed do eiusmod tempor incididunt ut labore et dolore magna aliqua.",
    "When it comes to {subject}, choosing the right provider is essential. Look for experience, certifications and customer reviews. A reliable provider will offer a warranty and transparent pricing.",
]
SUBJECTS = ["roof maintenance", "the keto diet", "home insurance", "solar panels", "teeth whitening", "a memory foam mattress",
            "carpet cleaning", "digital marketing", "weight loss", "car leasing", "hair transplant", "interior design",
            "online learning", "pet grooming", "kitchen remodeling", "skin care", "personal loans", "cloud hosting"]


def spam_fill(template: str, rng: random.Random) -> str:
    essay = rng.choice(ESSAYS)
    subject = rng.choice(SUBJECTS)
    services = rng.sample(SERVICES, 2)
    values = {
        "service": services[0], "service2": services[1], "city": rng.choice(CITIES), "brand": rng.choice(BRANDS),
        "year": rng.choice(["2025", "2026", "2027"]), "adj": rng.choice(ADJECTIVES), "n": rng.choice([3, 5, 7, 10, 15, 20, 50, 100, 200, 300]),
        "coin": rng.choice(COINS), "amount": rng.choice([250, 500, 1000, 2500, 4800, 10000]), "amount2": rng.choice([3000, 5000, 12000]),
        "relative": rng.choice(RELATIVES), "topic": essay["topic"], "detail": rng.choice(essay["details"]),
        "lesson": rng.choice(LESSONS), "subject": subject, "Subject": subject[0].upper() + subject[1:],
        "link": "{link}",
    }
    text = template.format(**values)
    while "{link}" in text:
        text = text.replace("{link}", link(rng, rng.choice([services[0], values["brand"], "click here", "visit us", "read more"])), 1)
    return text


def seo(rng: random.Random) -> str:
    parts = rng.sample(SEO, rng.choice([1, 1, 2]))
    return " ".join(spam_fill(part, rng) for part in parts)


def flattery(rng: random.Random) -> str:
    text = spam_fill(rng.choice(FLATTERY), rng)
    if rng.random() < 0.3:
        text = rng.choice(["Hi!", "Hello admin,", "Dear author,", "Good day!", "Hey there."]) + " " + text
    return text


def crypto(rng: random.Random) -> str:
    parts = rng.sample(CRYPTO, rng.choice([1, 1, 2]))
    return " ".join(spam_fill(part, rng) for part in parts)


def chatbot(rng: random.Random) -> str:
    body = " ".join(spam_fill(part, rng) for part in rng.sample(CHATBOT_BODIES, rng.choice([2, 3, 3, 4])))
    preamble, closer = rng.choice(CHATBOT_PREAMBLES), rng.choice(CHATBOT_CLOSERS)
    quoted = f"“{body}”" if preamble and rng.random() < 0.5 else body
    return "\n\n".join(part for part in (preamble, quoted, closer) if part)


HAM_SEEN: list[str] = []  # the good comments written so far, which a copying bot takes from


def copied(rng: random.Random) -> str:
    if HAM_SEEN and rng.random() < 0.25:  # another reader's words, lightly changed, with a link
        words = rng.choice(HAM_SEEN).split()
        if len(words) > 12:
            words = words[rng.randrange(0, 4):]
        return " ".join(words) + rng.choice([" ", "\n\n"]) + link(rng, rng.choice(["my blog", "see here", "more", ""]) or "here")
    body = " ".join(spam_fill(part, rng) for part in rng.sample(COPIED, rng.choice([1, 2, 2, 3])))
    if rng.random() < 0.6:
        body += " " + rng.choice(["Source:", "Read more:", "Full article:", "More info", ""]) + " " + spam_url(rng)
    return body.replace("  ", " ")


SPAM_KINDS = [seo, flattery, crypto, chatbot, copied]


def normalised(text: str) -> str:
    return " ".join(re.sub(r"[\W_]+", " ", text.casefold()).split())


def build(rng: random.Random) -> list[tuple[str, str]]:
    rows: list[tuple[str, str]] = []
    seen: set[str] = set()

    def add(label: str, make, count: int) -> None:
        made = 0
        for _attempt in range(count * 50):
            text = make(rng)
            key = normalised(text)
            if key in seen:
                continue
            seen.add(key)
            rows.append((label, text))
            if label == "ham":
                HAM_SEEN.append(text)
            made += 1
            if made == count:
                return
        raise SystemExit(f"only {made} distinct {make.__name__} comments")

    add("ham", ham, HAM_COUNT)
    for kind in SPAM_KINDS:
        add("spam", kind, SPAM_PER_KIND)
    rng.shuffle(rows)
    return rows


def main() -> None:
    rows = build(random.Random(SEED))
    target = Path(__file__).with_name("corpus.csv")
    with target.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["label", "text"])
        writer.writerows(rows)
    print(f"wrote {len(rows)} comments to {target}")


if __name__ == "__main__":
    main()
