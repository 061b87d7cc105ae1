"""Rule-based detection of emergency and warning-sign reports, with negation; recall comes first here."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .normalize import CLAUSE_BREAKS, NEGATORS

# A word between the parts of a finding that does not deny it: "no coughing no blood" is a denial.
_UNDENIED_WORD = r"( (?!(no|not|never|without)\b)\w+)"
# Rules run on each clause of normalised text (contractions expanded: "can't" -> "can not").
# Each pattern is a regex over the space-joined clause; \b keeps words whole.
_EMERGENCY_STRONG = [
    r"\bchest (pain|pains|hurts?|hurting|is (tight|hurting|killing|painful|heavy|in pain|pounding)|tight|"
    r"tightness|pressure|feels? (tight|heavy|like)|is killing me|crushing|ache|aches|aching)",
    r"\b(pain|pains|tightness|pressure|crushing|squeezing|heaviness|ache|aching|stabbing)\b"
    r"(\s\w+){0,4} (in|on|across|around) (my|the|her) chest",
    r"\b(can|could|am|is) (not|barely|hardly|unable to|not able to|struggling to) (really )?"
    r"(breathe|breath|get (my|a|her) breath|catch (my|a|her) breath|get (enough )?air)\b",  # not "am not breathless"
    r"\b(can|could) not breathe?\b(?! a word)",
    r"\bcan t breathe?\b(?! a word)",
    r"\b(struggle|struggling|fighting|battling) (to|for) (get |catch )?(my |a |enough )?(breath|air|breathe)",
    r"\b(out of breath|hard time breathing|gasping for air|air hunger)\b(?! mints?)",
    r"\bnot breathing\b|\b(not|barely|hardly) (getting|get) (enough |any )?(air|oxygen|breath)\b",
    # Doubt about breathing is a report of trouble: "i do not think i can breathe", "not sure she is breathing".
    r"\bnot (think|sure|certain) (if |whether )?(i|she|he) (can|could|is|am) "
    r"(breathe|breath|breathing|get (any |enough )?air)\b",
    r"\b(trouble|difficulty|difficult|hard|hurts|painful|struggling|struggle|problems?|pain) "
    r"(when |to |with |for )?(breathe|breathing|breath)\b",
    r"\b(short|shortness) of breath",
    r"\b(losing|lost|lose|loses) (my|her|a|the) breath\b",
    # Breath that will not come, or comes only in sips: "my breath won't come", "i can only take tiny breaths".
    r"\b(breath|breaths|air) (will not|would not|does not|is not|just will not) (come|coming|go in|going in)\b",
    r"\b(can|could) only (take|get|manage|grab) (\w+ ){0,3}(breaths|breath|gasps|sips of air)\b",
    r"\b(no|not a) breath (left )?in (me|her|my (body|lungs))\b|\bno breath left\b",
    # "Like" is a filler the normaliser drops: "it feels [like] someone is sitting on my chest".
    r"\b(feels?|felt) (like )?(someone|somebody|something|an elephant|a weight|a ton|a brick)( \w+){0,3} "
    r"(on|in|around|across) (my|her) (chest|ribs|rib cage|breastbone)",
    r"\b(a|an|someone|somebody|something) (\w+ ){0,2}(is )?(sitting|parked|pressing|standing|lying|pushing|"
    r"crushing|squashing|stood|sat) (down )?on (my|her) (chest|ribs|rib cage|breastbone)\b",
    r"\bbreathing (is|feels) (\w+ )?(difficult|hard|painful|laboured|labored|shallow|tough|a struggle)",
    r"\b(gasping|breathless|breathlessness|suffocating|choking)\b"
    r"(?! (with|from) (laughter|laughing|excitement|anticipation))",
    # The words between may not deny: "no coughing no blood" is a denial.
    r"\bcough\w*" + _UNDENIED_WORD + r"{0,3} (up |out )?blood",
    r"\bcough\w*( \w+){0,3} (up |out )(something |some )?(red|pink|bloody)\b",
    r"\b(pink|red|bloody) (froth|frothy|foam|foamy|phlegm|mucus|spit|sputum)\b",
    r"\b(i|she|he) (am|is|keeps|keep|has been|have been|was|cannot stop|can not stop) (panting|hyperventilating|"
    r"puffing)\b|"
    r"\bcan not stop (panting|gasping)\b",
    r"\b(like i am|i am|feel like i am|feels like i am) (drowning|being strangled|being smothered)\b",
    r"\b(wheezing|wheezy)\b|\bcan not (get|finish) (my|her|his) (words|sentences?) out\b",
    # Consciousness coming and going: "she's in and out of consciousness", "she keeps coming round and then going off
    # again" (not "my mum is coming round tomorrow", a visit, nor drifting in and out of sleep).
    r"\bin and out of consciousness\b|\b(keeps|kept|keep) (coming round|coming to) and (then )?(\w+ )?(going|passing|"
    r"blacking|slipping) (off|out|away)\b",
    # Breathing that sounds wrong: "her breathing's gone all raspy and quick".
    r"\b(my|her) (breathing|breath|breaths) (is |has |has gone |gone |went |sounds |is going |keeps going )"
    r"(all |really |very |so |a bit |kind of )?(raspy|rasping|rattly|rattling|crackly|gurgly|gurgling|ragged|noisy)\b",
    r"\b(lips|face|fingers|fingertips|mouth) (are |is |have |has )?(going|gone|turning|turned|look|looks|are|is) "
    r"((kind of|sort of|a bit|really|quite|slightly|all|a little) )?"
    r"(blue|grey|gray|purple)\b",
    r"\b(red|pink|blood|bloody) in (my|her|the) (spit|phlegm|mucus|sputum|tissue)\b",
    r"\bcough\w*" + _UNDENIED_WORD + r"{0,6} (pink|frothy|bloody|all red)\b",
    r"\b(spit|spitting|spat|threw|throwing|vomit\w*) (up |out )?blood",
    r"\bblood\b" + _UNDENIED_WORD + r"{0,5} cough",
    r"\bbloody (cough|phlegm|spit|mucus)",
    r"\b(keeled over|fell unconscious|came over faint|coming over faint|going to faint|about to faint|"
    r"gonna faint|feel faint|feeling faint)",
    # A weight behind the ribs is the chest ("a crushing feeling behind my ribs"); ribs alone are no chest word, since
    # a baby's kick there hurts too.
    r"\b(crushing|squeezing|heavy|heaviness|pressure|tight|tightness|stabbing)( \w+){0,2} "
    r"(behind|under|beneath|across) (my|her|the) (ribs|rib cage)\b",
    r"\b(heart area|heart region|area (round|around|over) my heart)\b( \w+){0,3} "
    r"(hurts?|hurting|aches?|aching|pain|painful|tight|heavy|crushing|squeezing|squeezed|pressure|burning)\b",
    # Out of breath in Australian and British speech: "i'm puffed out just from talking".
    r"\b(i am|i m|she is|i feel|i get|i got|i have got|getting|am|so|really|totally|completely) (\w+ )?"
    r"(puffed out|out of puff)\b",
    r"\b(red|pink|blood|bloody)\b( \w+){0,5} (coughed|cough|coughing|spat|spit|brought|bringing) (up|out)\b",
    # The sight going before a faint: "my vision's going grey round the edges".
    r"\b(vision|eyesight|sight|eyes)( is)? (going|gone|went|turning|turned) (black|dark|grey|gray|white|fuzzy|"
    r"spotty|starry)\b|\btunnel vision\b",
    r"\b(white|pale|grey|gray) as a (sheet|ghost)\b( \w+){0,2} (dropped|fell|went down|collapsed|crumpled|slumped)\b",
    r"\b(crumpled|slumped) (to|on|onto) the (floor|ground)\b",
    # Blood seen after a cough: "i coughed and something red came up".
    r"\bcough\w*( \w+){0,4} (red|pink|bloody|blood)( \w+){0,2} (came|comes|coming) (up|out)\b",
    # Falling like a weight: "she dropped like a stone", "gone down like a sack of spuds".
    # ("like" is a filler the normaliser drops.)
    r"\b(dropped|went down|gone down|fell|collapsed|keeled over|hit the deck) (like )?a (stone|sack|rock|log|tree|"
    r"ton of bricks|sack of (spuds|potatoes))\b",
    r"\b(slumped|keeled) (over|forward|sideways)\b",
    # Slips of speech or typing with one meaning here: "i can't breed", "she past out", "a bad chess pain".
    r"\b(can|could) not (breed|breeze|breth|breathe in|breathe out)\b",
    r"\b(past out|passt out)\b",
    r"\b(was|went|been) out (cold )?for (a |a few |a couple of |some |about )?(\w+ )?(seconds?|minutes?|moments?)\b",
    r"\b(phlegm|spit|mucus|sputum)\b" + _UNDENIED_WORD + r"{0,3} (blood|bloody)\b",
    r"\b(have|having|need|needing|keep having) to (sit|stand|prop myself|prop) up (\w+ )?to (get|catch) "
    r"(air|my breath|a breath|breath)\b",
    r"\bflat out on the (floor|lino|carpet|ground|tiles|rug|kitchen floor|bathroom floor)\b",
    r"\b(she|he) (is |has )?gone down\b",
    r"\b(she|he) is (drowning|being strangled|being smothered)\b",
    r"\b(can|could) not brief\b(?! (you|him|her|them|the|my|our|your|a|everyone|someone)\b)",
    # Fallen and silent: "my wife she is fall and her eyes close she no talk", "she's just dropped".
    r"\b(fall|fell|fallen|collapsed|dropped)( \w+){0,6} (no|not|will not|can not|does not) (talk|talking|answer|"
    r"answering|respond|responding|speak|speaking|move|moving)\b",
    r"\b(eyes|eye) (are |is )?(closed|close|shut)\b( \w+){0,3} (no|not|will not|can not|does not) (talk|talking|"
    r"answer|answering|respond|responding|speak|speaking|wake)\b",
    r"\b(she|he) (has |is )?(just )?dropped( down| to the (floor|ground))?$",
    r"\bchess (pain|pains|hurts?|hurting|is tight|tight|tightness|pressure|feels? (tight|heavy))\b",
]
_DIGIT = r"(zero|oh|one|two|three|four|five|six|seven|eight|nine)"
# Calls for help: an emergency unless the question is when one would be needed ("when should i call an ambulance").
_EMERGENCY_CALL = [
    r"\b(call|phone|ring|dial) (for )?help\b",
    r"\bget (me |us )?help (now|quick|quickly|fast|right now|please|hurry)",
    r"\bhelp (me |us )?(please )?hurry\b|\bplease hurry\b|^get (me |us )?help$",
    # Help cried more than once, or by someone to anyone: "help me please help", "somebody help".
    r"\bhelp (me |us |her )?(please |someone |somebody )?help\b|\b(somebody|someone|anybody|anyone) help\b",
    r"\b(call|dial|ring|phone) (one (oh|zero|o) (eight|two)|one one (two|nine)|one double one|the ambos?|an ambo|"
    r"ten one seven seven|10177)\b",
    r"\b(call|get|phone|dial|ring|need|send|want) (me |us |for )?(an |the |a )?(ambulance|nine one one|911|999|"
    r"000|112|emergency|one one two|nine nine nine|triple zero|triple nine|paramedics|help now|ten one seven seven)",
    r"\bsend (help|someone|an ambulance)",
    r"\b(999|911|000|112|nine one one|nine nine nine|triple zero|triple nine)\b(?! (plumber|locksmith))",
    r"\b(call|get|phone|dial|ring) (108|102|119|110|111|995|997|15|999|911|000|112)\b",
    # Any three-digit number called, digit by digit, is an emergency line somewhere ("call one one one, we're in new
    # zealand", "call nine nine five"); a phone number has more digits.
    r"\b(call|dial|ring|phone|get) (" + _DIGIT + r" ){2}" + _DIGIT + r"\b(?! " + _DIGIT + r"\b)",
    r"\bemergency (number|services|line)",
    r"\bnumber (for|of) (the |an )?(emergency|emergencies|ambulance|emergency services)",
    r"\b(what|which) number (do|should) i (call|ring|dial)",
    r"\b(this|it|that) is an emergency\b|\bi (have|have got) an emergency\b",
    r"\b(get|send) (someone|somebody|a doctor|help) (here )?(now|right now|urgently|immediately|quick)\b",
    r"\bneed (a doctor|someone|somebody|help) (here )?(urgently|right now|immediately)\b",
]
# Co-occurrence rules: a sign word plus, in the same clause, a word that places it (body, breathing...).
# They generalise to phrasings nobody listed ("heavy pressure behind my breastbone"); exclusions keep
# "chest freezer" and "breath mints" out.
_CHEST = (r"(?<!treasure )(?<!toy )(?<!old )(?<!wooden )(?<!storage )(?<!blanket )"
          r"\b(chest|breastbone|sternum|ribcage|rib cage)\b"
          r"(?! (freezer|of drawers|size|hair|cold|infection|x ray|cough|bug))")
_CHEST_PAIN = (r"\b(pain|pains|painful|hurts?|hurting|tight|tightness|tightening|pressure|heavy|heaviness|crushing|"
               r"squeezing|squeezed|ache|aches|aching|stabbing|burning|sharp|weight|band|elephant|agony|pounding|vice|"
               r"vise)\b")
_BREATH = r"\b(breathe|breathing|breath|breaths|air|lungs|lung|inhale)\b(?! (mints?|freshener|test|a word))"
_BREATH_TROUBLE = (r"\b(will not fill|would not fill|do not fill|does not fill|can not fill|not enough|can not|"
                   r"cannot|could not|unable|hard|harder|difficult|difficulty|trouble|struggle|struggling|"
                   r"short|shortness|shallow|fill|gasping|gasp|wheez\w*|catch|fighting|labou?red|suffocat\w*|"
                   r"choking|enough|tight|hurts?|painful|stopped|stop|barely|hardly|no air|winded|"
                   r"weird|funny|strange|wrong|straw|restricted|constricted|squeezed|heavy|"
                   r"rapid|ragged|full|will not go in|would not go in|not going in|can not get in)\b")
_FAINT = (r"\b(faint|fainted|fainting|faintish|passed out|pass out|passing out|blacked out|black out|blacking out|"
          r"out cold|keeled|keel over|keeling over|collapse|collapsed|collapsing|unconscious|unresponsive|"
          r"not waking( up)?|(will not|would not|is not) wake( up)?|"
          r"not responding|(will not|can not|does not) respond|will not wake|can not wake|lost consciousness|"
          r"losing consciousness|conked out|"
          r"(is not|not|will not|can not) (answering|answer)( me| us)?(?! (the |my |his |her |your )?(phone|door|"
          r"calls?|texts?|messages?|question|questions))|"
          r"went down|went black|went dark|"
          r"(everything|it all) (is going|going|went) (black|dark|grey|gray)|"
          r"hit the floor|on the floor|on the deck|hit the deck|"
          r"on the (landing|bathroom|kitchen|bedroom|hall|hallway|stairs|toilet) floor|"
          r"(came|come|coming) (round|around|to) on the|(woke|woken) up on the (\w+ )?(floor|ground)|"
          r"found myself on the (\w+ )?(floor|ground)|"
          r"dropped to the floor|(legs|knees) (gave way|gave out|buckled|went from under me)|"
          r"(will not|would not|not) come round|(gone|went) (all )?(floppy|limp)|"
          r"winded)\b(?! (the |some |a |my |our )?(goats?|heart|hope|smell|window|windows|curtains|blinds|screen|"
          r"windscreen|name|names|text|room|bedroom|"
          r"sound|sounds|noise|noises|beep|beeping|beeps|buzz|buzzing|hum|humming|ringing|knocking|tapping|music|voice|"
          r"crackle|crackling|hiss|hissing|static|whir|whirring|"
          r"glow|light|line|trace|idea|praise|memory|memories|recollection|chance|resemblance|leaflets|flyers|papers|slips|forms|sweets|candy|cards|drinks|food|"
          r"from|of|with (laughter|excitement)))")
_BLOOD = r"\b(blood|bloody|bleeding)\b(?! (type|test|tests|pressure|sugar|group|work|donor|clot|clots|orange))"
_COUGH = (r"\b(cough|coughs|coughed|coughing|coffin|coffing|spit|spits|spitting|spat|hacking|hacked|bringing up|"
         r"brought up)\b")
_RED_SIGN = (r"\b(red|reddish|redder|reddened|redness|flushed|crimson|pink|inflamed|inflammation|discolou?red|angry|"
             r"scarlet|beetroot|purply|purplish|rosy|blotch|"
             r"blotchy|swollen|swelling|swelled|swell|swole|swolen|swoll|puffy|puffed|puffing|puffier|bloated|"
             r"ballooned|balloon|elephant|sausage|sausages|pumped up|puffiness|"
             r"(blown|swelled|puffed) (right |all |way )?up|"
             r"engorged|tender|tenderness|bruised|warmth|warmer|hotter|burning|feverish|heating up|giving off heat|"
             r"pinky|sunburn|sunburnt|sunburned|rash|roasting|toasty|boiling|scorching|baking hot|cankles?|lump|"
             r"(is|has) been (out )?in the sun|"
             r"radiating heat|throwing off heat|heat (coming|pouring|radiating|rising) (off|out of|from)|"
             r"(having|has|have|got|getting) (some |a lot of |this )?(heat|warmth))\b"
             r"|\b(warm|hot|heated)\b(?! (towel|bath|water|bottle|compress|shower|pack|pad|blanket|drink|tea|milk|"
             r"socks?|room|in here|outside|weather|chocolate|soup|food|wheat|gel|bean|rice))")
# Things that are red, warm or swollen without being a leg; with one of these, "it" is not a leg.
# A balloon is a thing unless a swollen foot is like one ("swollen up like a balloon": the normaliser drops "like").
_OBJECTS = re.compile(
    r"\b(phone|battery|wine|carpet|nursery|room|house|weather|dough|bread|river|car|oven|kettle|radiator|heater|"
    r"tea|coffee|soup|water|bath|towel|bottle|blanket|face|cheeks|eyes|nose|lips|gums|hands|fingers|belly|bump|"
    r"breasts|nipples|wrist|arm|arms|dress|shirt|paint|polish|nails|sauce|light|lights|sky|sun|degrees|pillow|duvet|"
    r"sheets?|mattress|warmers|engine|truck|bus|apple|tomato|flag|bedroom|the heating|central heating|flat|kitchen|"
    r"lounge|paw|paws|tail|(?<!like a )(?<!up a )(?<!is a )balloons?)\b"
)
_BODY = (r"\b(leg|legs|calf|calfs|calves|shin|shins|ankle|ankles|foot|feet|thigh|thighs|knee|knees|hamstring|"
         r"toes?|skin|muscle|vein|veins|it|area|spot|patch|side|one|limb|sore bit|painful bit|tender bit)\b")


# Words around a sign in a short answer ("yeah a bit swollen"): the answer still names no other thing.
_ANSWER_WORDS = frozenset("yes yeah yep yup uh um oh well a bit little kind sort of slightly quite very really so "
                          "pretty kinda somewhat maybe more sure definitely".split())


def _names_a_thing(clause: str) -> bool:
    """Whether the clause names one of _OBJECTS, other than as one it has not got ("no hot water bottle")."""
    return any(_NOT_GOT.search(clause[:m.start()]) is None for m in _OBJECTS.finditer(clause))


_NOT_GOT = re.compile(r"\bno (\w+ ){0,2}$")


def _cooccur(clause: str, sign: re.Pattern[str], context: re.Pattern[str], short: int = 0) -> bool:
    if sign.search(clause) is None:
        return False
    found = [m.group(0) for m in context.finditer(clause)]
    if context is _body and _OBJECTS.search(clause):
        found = [w for w in found if w not in ("it", "one", "side", "area", "spot", "patch")]
    placed = bool(found) or len([w for w in clause.split() if w not in _ANSWER_WORDS]) <= short
    if not placed:
        return False
    return any(not _negated(clause, m.start(), m.end(), True) and not _warmth_of_a_remedy(clause, m)
               for m in sign.finditer(clause))


_WARM_WORDS = frozenset("warm hot heated toasty warmer hotter".split())
_REMEDIES = re.compile(r"\b(towel|bath|water|bottle|compress|shower|pack|pad|blanket|flannel|bag|heater|fire|tea|"
                       r"drink|sock|socks|cloth|wrap|pillow)\b")


def _warmth_of_a_remedy(clause: str, sign: re.Match[str]) -> bool:
    """A warm word said of a remedy or as a comfort, not of a sign.

    Of a remedy just before it: "the heat pack's nice and hot on my calf"; as a comfort: "i put a heat pack on my calf
    and it's nice and warm".
    """
    before = clause[:sign.start()].split()
    return sign.group(0) in _WARM_WORDS and (_REMEDIES.search(" ".join(before[-4:])) is not None
                                             or " ".join(before[-2:]) in ("nice and", "lovely and", "cosy and")
                                             or (before[-1:] == ["nice"] or before[-1:] == ["lovely"]))


_chest, _chest_pain = re.compile(_CHEST), re.compile(_CHEST_PAIN)
_breath, _breath_trouble = re.compile(_BREATH), re.compile(_BREATH_TROUBLE)
_faint, _blood, _cough = re.compile(_FAINT), re.compile(_BLOOD), re.compile(_COUGH)
_red_sign, _body = re.compile(_RED_SIGN), re.compile(_BODY)


_AMBULANCE = re.compile(r"\b(ambulance|paramedics?|ambos?)\b")
# Asked for later, not needed now: "what number do you ring for an ambulance, just so i know".
_FOR_LATER = r"\b(just so i know|for future reference|for next time)\b"
# What counts as a sign or an emergency: a question, not a report.
_WHAT_COUNTS = r"\bwhat (counts?|is classed|classes) as\b"
# For an ordinary cramp: "do i need an ambulance for a normal cramp" asks, it does not call.
_FOR_A_CRAMP = r"\bfor (a |an |just a )?(normal|regular|ordinary|simple|usual|little|leg) cramp\b"
# An ambulance mentioned in passing (a siren outside, a dream, a job) is not a request for one.
_AMBULANCE_ASIDE = re.compile(
    r"\b(drives?|driver|driving|siren|sirens|dream\w*|outside|passed|chaser|show|tv|movie|film|book|toy|works?|"
    r"worked|job|went past|goes past|saw|seen|watching|watched|read|news|strike|strikes|station|depot|museum|"
    r"day out|model|ride)\b|" + _FOR_A_CRAMP + "|"
    + _FOR_LATER +
    # An occupation: "my husband is a paramedic".
    r"|\b(is|was|are|were) (a|an) paramedic\b"
    r"|\b(husband|wife|partner|brother|sister|mum|mom|dad|friend|son|daughter|neighbour|neighbor|cousin|uncle|aunt|"
    r"niece|nephew|mate|colleague|flatmate|housemate|father|mother|grandad|grandpa) (is )?(a|an) paramedic\b"
)


# A blocked nose or snoring is no emergency: "he snores and can not breathe properly through his nose".
_NOSE = re.compile(
    r"\b(through|out of) (my|his|her|the) nose(?! or)|\b(blocked|stuffy|bunged up) nose|\bsnor(e|es|ing)\b"
)
# "I am breathing fine, I just can not get back to sleep": the breathing is denied, the trouble is elsewhere.
_BREATHING_FINE = re.compile(
    r"\b(breathing|breath|breathe) (is |feels )?(fine|ok|okay|normal|normally|alright|all right)\b"
)
# Someone fainting or coughing blood in a story is not a report: "the guy in this show just passed out".
# Watching is not enough ("my husband was watching tv and fainted" is a report).
_IN_A_STORY = re.compile(
    r"\b((on|in) (the |this |that |my |a )?(tv|telly|television|show|movie|film|book|novel|series|episode|programme|"
    r"program|game|video|documentary)|(book|show|movie|film|video|documentary|story|article|programme) about|"
    r"(book|show|movie|film|video|documentary|story|novel|drama|series|episode|programme) (where|in which)|"
    r"reading (a|this|that|my) \w*\s?(book|novel|story)|character|actor|actress|detective|first aid|"
    r"(in|from) (the|a) (story|film|book)|(if|when) (someone|somebody|anyone|a person) (collapses|faints|is|has|stops)|"
    r"(collapsed|collapsing|collapse) (laughing|with laughter|in laughter|into bed|on the sofa|on the couch)|"
    # Idioms and jokes: "my boss collapsed into giggles", "so tired i could pass out ha not literally".
    r"(collapsed|collapsing|collapse|collapses) (into|in) (giggles|fits|hysterics|laughter|tears)|not literally|"
    # A faint signal, light or smell is weak, not a faint: "the signal on this phone is so faint".
    r"(signal|reception|wifi|light|smell|scent|sound|noise|voice|line|lines|mark|marks|glow|taste|pencil)( \w+){0,4} "
    r"(is|was|are|were|looks|sounds|smells|seems) (so |very |really |too |quite |a bit |pretty )?faint\b|"
    r"pretend\w*|playing dead|faking|(?<!not )(?<!no )(joked|joking|jokes|kidding)|haha\w*|lol|hehe|"
    r"when i saw the (price|bill|cost)|(had|have) a (bad )?dream|in (my|a|the) dream|dreamt|dreamed|nightmare|"
    r"(faint\w*|passed out|pass out|died|dying|collapsed) (laughing|with laughter|of laughter|from laughing)|"
    r"(laugh\w*|giggl\w*) (so (hard|much) |till |until )(that )?(i|she|we|he) (could not|can not|could hardly|"
    r"can hardly|nearly|almost) (breathe|breath|stopped breathing)|"
    r"at (the |this |that )?(show|film|movie|play|panto|comedy)|"
    r"(at|in) (the |my |our |a )?(antenatal|prenatal|birthing|yoga|pilates|exercise|breathing) class|"
    r"(show|film|movie|programme|series|drama|documentary)\b( \w+){0,4} (someone|somebody|a man|a woman|a guy|a girl|"
    r"a patient|a lady) (\w+ )?(collapsed|fainted|passed out|keeled over|went down|stopped breathing)|"
    # A stranger is not the pregnant person: "a lady passed out when they showed the birth video".
    r"(a|one|another|some) (lady|woman|man|girl|guy|bloke|lad|person|mum|dad|student|runner|player) (\w+ )?"
    r"(passed out|fainted|collapsed|keeled over|went down)|"
    r"(film|movie|show|book|series|programme|program|episode|video|documentary|soap) (had|has|with|showed|shows)|"
    r"(in|on) (every|each) (episode|show|film)|"
    # An animal's breathing or collapse is not the person's emergency.
    r"(dog|dogs|cat|cats|puppy|kitten|hamster|rabbit|horse|pet) (is|was|s|has|keeps|just|breathing|breathes|fainted|"
    r"collapsed|flopped)|"
    # Medical dramas: "someone coughed up blood on grey's anatomy tonight".
    r"grey anatomy|greys anatomy|casualty|holby|chicago med|call the midwife|one born every minute)\b"
)


# "The swelling in my feet went down", "the cramp went down": a sign going, not someone going down.
_SWELLING_DOWN = re.compile(r"\b(swelling|swollen|swelled|puffiness|puffy|puffed|bloated|pain|fever|temperature|"
                            r"redness)\b")


# Things collapse too: "the tent collapsed in the wind", "the shelf in the nursery collapsed earlier".
# The thing must be what collapsed ("she was lying on the bed and collapsed" is a report).
_A_THING_FELL = re.compile(r"\b(the|a|an|our|my|that|this|his|her) (\w+ )?(tent|shelf|shelves|bookshelf|bookcase|"
                           r"wardrobe|cupboard|chair|table|roof|ceiling|wall|building|bridge|house|cot|crib|stack|pile|"
                           r"tower|cake|souffle|umbrella|box|boxes|deal|market|plan|plans|team)"
                           r"( (in|on|at|of|by) (the|a|our|my) \w+)? ?$")


# What follows "collapsed" when someone collapsed a thing (not "she collapsed the moment she stood up").
_THING_FOLLOWS = re.compile(r"^ (the|his|our|my|their) (?!(moment|second|minute|instant|same|other|way|night|day|"
                            r"floor|ground)\b)\w+")


def _gone_down_is_no_collapse(clause: str, start: int) -> bool:
    return _SWELLING_DOWN.search(clause) is not None or clause[:start].endswith(("it ", "cramp ", "it all "))


def _emergency_cooccurs(clause: str, calls: bool = True) -> bool:
    return (
        (calls and _cooccur(clause, _AMBULANCE, re.compile(r".")) and _AMBULANCE_ASIDE.search(clause) is None
         and _WHEN_NEEDED.search(clause) is None)
        or (_cooccur(clause, _chest_pain, _chest) and _cooccur(clause, _chest, _chest_pain))
        # The trouble word carries the finding ("can not take a full breath"), so only it is checked for negation.
        or (_breath.search(clause) is not None and _negation_free(clause, _breath_trouble)
            and _BREATHING_FINE.search(clause) is None and _NOSE.search(clause) is None)
        or any(not _negated(clause, m.start(), m.end(), False) for m in _faint.finditer(clause)
               if not (m.group(0) == "went down" and _gone_down_is_no_collapse(clause, m.start()))
               and not (m.group(0).startswith("collaps") and (_A_THING_FELL.search(clause[:m.start()])
                                                              # "he collapsed the chest of drawers flat": he did it
                                                              or _THING_FOLLOWS.match(clause[m.end():]))))
        or (_cooccur(clause, _blood, _cough) and _cough.search(clause) is not None)
    )


# A sign named as a thing ("is redness normal after a cramp"), or two signs together ("red and swollen"), needs no
# leg to place it, unless the clause names something else that is red or swollen ("my face is red and swollen").
_SIGN_NOUN = re.compile(r"\b(redness|swelling|tenderness|inflammation)\b")


def _signs_named(clause: str) -> bool:
    if _OBJECTS.search(clause):
        return False
    if any(not _negated(clause, m.start(), m.end(), True) for m in _SIGN_NOUN.finditer(clause)):
        return True
    signs = [m for m in _red_sign.finditer(clause) if not _negated(clause, m.start(), m.end(), True)]
    return len({m.group(0) for m in signs}) >= 2


def _negation_free(clause: str, pattern: re.Pattern[str]) -> bool:
    # "i can breathe fine" has no trouble word; "no trouble breathing" has one, negated.
    return any(not _negated(clause, m.start(), m.end(), False) or any(w in NEGATORS for w in m.group(0).split())
               or m.group(0) == "cannot" for m in pattern.finditer(clause))


_EMERGENCY_WEAK = [
    _CHEST,
    r"\bemergency\b(?! (plumber|exit|kit|contact|fund|brake|lights?|room|vet|dentist))",
    r"\b(dizzy|woozy|light headed|lightheaded)\b",
]
# Questions *about* an emergency ("is this an emergency", "what counts as an emergency") are not reports of one; the
# word alone then escalates nothing, but a sign said with it still does ("is it an emergency if i am coughing up
# blood cause i am").
# Asking when help would be needed: "when would i need an ambulance" names no sign and asks for none.
_WHEN_NEEDED = re.compile(r"^((in general|generally|out of interest|out of curiosity|just wondering|i was wondering|"
                          r"i wonder|quick question|hypothetically|so|and|but|okay|ok) )?"
                          r"(when|at what point) (would|should|do|does|will|might|is)\b")
# A number kept for later is no call: "i've saved nine nine nine in my phone just in case".
_NUMBER_KEPT = r"\b(saved|stored|programmed|written|wrote|stuck|put)( \w+){0,5} (in|into|on) (my|her|his|the|our) " \
               r"(phone|contacts|mobile|fridge|wall|list)\b"
_ASKING_WHEN = re.compile(_WHEN_NEEDED.pattern + "|" + _WHAT_COUNTS + "|" + _FOR_LATER + "|" + _FOR_A_CRAMP
                          + "|" + _NUMBER_KEPT + r"|\bin (the )?future\b")
_EMERGENCY_QUESTION = re.compile(
    r"^(is|could|can|would|should) (this|it|that) (be )?(an )?emergency|" + _ASKING_WHEN.pattern
)
# Asking which kinds of a sign matter: "what sort of chest pain would you worry about".
_ASKING_KIND = re.compile(r"^what (sort|sorts|kind|kinds|type|types) of\b"
                          r"|^(what is|what are|how do (i|you) tell|how can (i|you) tell) the differences? between\b")

_RELIEF_NOUNS = r"(towel|bath|water|bottle|compress|shower|pack|pad|blanket|drink|tea|milk|sock|socks|room)"
_LEG = r"(leg|legs|calf|calves|shin|ankle|ankles|foot|feet|thigh|knee|skin|it|muscle|spot|patch|area)"
_RED_STRONG = [
    r"\b" + _LEG + r"\b( \w+){0,6} (red|reddish|redder|reddened|pink|discolou?red)\b",
    r"\b(red|reddish|pink) (patch|spot|streak|area|mark|skin|blotch|line|rash|lump)",
    r"\b(red|swollen|hot|warm|puffy|tender|inflamed) " + _LEG + r"\b",
    r"\b(warm|hot|burning|sore|painful|hurts?|tender|achy|aching|sensitive|raw|throbbing)( \w+){0,2} "
    r"(to|when i|if i) (the )?(touch|press|feel)\b"
    r"(?! (my |the )?toes)",
    r"\b(hurts?|painful|sore|tender) (when|if) (i|you|anyone|something) (touch|press|poke)\b(?! (my |the )?toes)",
    r"\b(when|if) (i|you|anyone|something) (touch|touches|press|presses|poke|pokes)( \w+){0,4} "
    r"(hurts?|painful|sore|tender|agony)",
    r"\b(bigger|fatter|puffier|larger|thicker|warmer|redder|hotter) than the other",
    # Not a comfort: "it's nice and warm".
    r"\b" + _LEG + r" (is|are|looks?|feels?|seems?|went|gone|getting|has gotten|got) "
    r"((?!nice\b|lovely\b|cosy\b)\w+ ){0,2}(warm|hot|warmer|hotter|heated)\b"
    r"(?! " + _RELIEF_NOUNS + r"| in here| in this room| outside| tonight)",
    r"\b(warmth|heat)\b( coming)? (in|on|around|from|off|out of) (my|the|her) (back of (my|the|her) )?" + _LEG,
    r"\b" + _LEG + r"\b( \w+){0,7} (fatter|bigger|larger|thicker|puffier|fuller)\b",
    r"\bhurts? (to|when i|if i) (even )?(touch|brush|press|rub|stroke|poke)\b(?! (my |the )?toes)",
    r"\b(sore|painful|tender|hurting) and (red|swollen|hot|warm|puffy)",
    r"\b(red|swollen|hot|warm|puffy) and (sore|painful|tender|hurting|hurts)",
    r"\b(warm|hot) (spot|patch|area|leg|calf|skin|lump)",
    r"\b(have|has|notice|noticed|noticing|see|seeing|saw|found|find|got|getting|there is|there are)( \w+){0,2} "
    r"(redness|swelling|tenderness|warmth|inflammation|puffiness)",
    # Swelling said by its marks: a sock's deep dent, a dent that stays after a press, twice the size.
    r"\b(sock|socks|shoe|shoes|sock line)\b( \w+){0,4} (dent|dents|mark|marks|ring|line|indent|indentation|groove)",
    r"\b(dent|dimple|indent|indentation|pit|mark)\b( \w+){0,3} (stays|stay|stayed|remains|does not go|"
    r"(is )?still there)",
    r"\b(press|pressed|pressing|push|pushed|poke|poked)( \w+){0,7} (left|leaves|leaving|made|makes) (a |an )?"
    r"(little |small |deep |big |tiny )?(dent|dimple|pit|mark|indent|indentation|hole)",
    r"\b(sock|socks|elastic|shoe|shoes|boot|boots|trainers|slippers|leggings|tights|jeans)\b( \w+){0,4} "
    r"(dug|digging|digs|cutting|cut) (right )?(in|into)\b",
    # One leg unlike the other: "my leggings are tight round one calf but not the other".
    r"\b(tight|tighter|bigger|fatter|puffy|puffier|swollen|warm|warmer|hot|hotter|red|redder|tender|heavier|heavy|"
    r"thicker|shiny|different)\b( \w+){0,5} (one|left|right) (leg|calf|ankle|foot|shin|thigh|side)\b"
    r"(?=( \w+){0,2} (but not|not) the other\b)",
    r"\b(tight|tighter|bigger|fatter|puffy|puffier|swollen|warm|warmer|hot|hotter|red|redder|tender|heavier|heavy|"
    r"thicker|shiny|different)\b( \w+){0,3} (on )?(one (leg|calf|ankle|foot|shin|thigh|side) only|"
    r"only (on )?(one|the left|the right) (leg|calf|ankle|foot|shin|thigh|side))\b",
    r"\bonly (\w+ ){0,2}(tight|tighter|snug|snugger|bigger|fatter|puffy|swollen|warm|hot|red|tender|heavy|heavier)"
    r"( \w+){0,2} "
    r"(on |in )?(the )?(one|left|right) (leg|calf|ankle|foot|shin|thigh|side)\b",
    # Cramps said to come so often, as a statement: "the cramps are coming so often i can not sleep".
    r"\b(cramps|they|spasms) (are|keep) (coming|happening|waking me) (so|too|really|very) (often|frequently)\b",
    r"\b" + _LEG + r"\b( \w+){0,4} (twice|double|three times) (the|its|their|her|my) (normal |usual )?size",
    r"\b(sore|painful|tender|cramped|cramping) (bit|part|spot|area) (is|feels) (heating up|hot|warm|red|swollen)",
    # Skin stretched by swelling: "the skin on my shin is tight and glossy".
    r"\b(skin|leg|calf|shin|ankle|foot)\b( \w+){0,3} (is|looks|looking|feels|gone|went|got|has gone) "
    r"(all |so |really |very )?(glossy|shiny|stretched|taut|tight and (shiny|glossy))\b",
    # Cramps worse than they have ever been: "these cramps are way worse than normal".
    r"\b(cramps|they|these) (are|have been|are getting|keep getting) (\w+ ){0,2}(worse than (normal|usual|ever|before)|"
    r"unbearable|excruciating)",
    # Swelling said by size: "me ankle's gone massive".
    r"\b" + _LEG + r" ((is|are|has|have|looks?|gone|went|got|getting|has gone|has got)( \w+){0,2} )?"
    r"(massive|huge|enormous|gigantic|giant|like a balloon|like an elephant|elephant like)\b",
    r"\b(bigger|fatter|puffier|larger|thicker|warmer|redder|hotter|massive|huge|swollen|puffy|red|hot|fat) "
    r"(compared (to|with)|next to|beside|against) (the|my|her) other\b",
    r"\b(hot|warm|warmer|hotter|red|redder|swollen|puffy) compared (to|with) the rest of (my|her|the) (leg|calf)\b",
    r"\b" + _LEG + r" (gone|went|has gone|has got|got|getting) (all )?fat\b",
    r"\b" + _LEG + r" (is |are |looks )?(so|really|very|all) fat\b|\bcan not see (the|her|my) (ankle )?bones?\b",
    # Cramps growing stronger, which is the frequent and severe pain: "each one is worse than the last".
    r"\b(worse|stronger|more painful|more intense|harder) (each|every) (time|one|cramp)\b",
    r"\b(each|every) (one|cramp|time|new one)( \w+){0,3} (is |gets |getting |feels )?(worse|stronger|more painful) "
    r"than the (last|one before|previous|first)",
]
_RED_WEAK = [
    r"\b(discolou?red|purple|shiny|streak|streaks|blotches)\b",
]
_FREQUENT = (
    r"\b(frequent|frequently|often|all the time|every night|every day|every hour|constant|constantly|nonstop|"
    r"non stop|keeps? (on )?(coming|happening|getting|waking|hitting)|keep getting|comes back|coming back|"
    r"times (a|an|per|every|each) (day|night|hour)|"
    r"multiple times|(two|three|four|five|six|seven|eight|nine|ten|a dozen|twelve|twenty|several|many|\d+) times|"
    r"every single night|again and again|over and over|"
    r"several times|many times|so many|every few|each night|night after night|always|daily|nightly|"
    r"(two|three|four|five|six|seven|eight|nine|ten|several|so many|lots of|loads of|\d+) (cramps|of them|spasms)|"
    r"(cramp|one) after (another|the other|cramp))"
)
_SEVERE = (
    r"\b(severe|terrible|excruciating|unbearable|awful|agony|agoni[sz]ing|savage|brutal|vicious|killer|crippling|"
    r"blinding|horrific|hell|hellish|murder|really hard|so hard|really strong|intense|worst|horrible|horrendous|"
    r"bad|painful|strong|hard|sore|nasty|"
    r"really bad|so bad|very bad|really painful|very painful|so painful|extreme|debilitating|killing me|"
    r"worse (than the last|each time|every time|and worse)|getting worse|(so|much|way|a lot|far) worse|"
    r"(each|every) (one|time)( \w+){0,4} "
    r"(is )?(worse|stronger)|stronger (each|every) time)"
)

_strong_em = [re.compile(p) for p in _EMERGENCY_STRONG]
_call_em = [re.compile(p) for p in _EMERGENCY_CALL]
_weak_em = [re.compile(p) for p in _EMERGENCY_WEAK]
_strong_red = [re.compile(p) for p in _RED_STRONG]
_weak_red = [re.compile(p) for p in _RED_WEAK]
_frequent = re.compile(_FREQUENT)
_severe = re.compile(_SEVERE)

# A cramp or pain that has lasted far longer than a cramp does (seconds to minutes) counts as frequent and severe:
# "it has been cramping nonstop for twenty minutes", "hurting really bad for hours".
_LONG_LASTING = re.compile(
    r"\b(for (ages|an hour|over an hour|more than an hour|half an hour|so long|a long time|days|"
    r"(fifteen|twenty) (minutes|mins))|(been|for) hours|hours (straight|now|on end)|nonstop|non stop|all night|"
    r"(two|three|four|five|a few|several|a couple of|couple of) days|since (midnight|last night|yesterday|"
    r"this morning|bedtime|i went to bed|hours ago|an hour ago|(this|yesterday|last) (afternoon|evening|morning)|"
    r"(the )?(morning|afternoon|evening)|"
    r"dinner|lunch|lunchtime|tea|teatime|supper|i woke up|i got up|earlier today|(a )?long time)|"
    r"(it is|it has) been hours|"
    # Not a day's standing or sitting: "are the cramps from standing all day" asks for a cause.
    r"(?<!standing )(?<!sitting )(?<!walking )(?<!working )(?<!feet )all (day|evening|afternoon)|"
    r"(the )?(whole|entire) (night|day|evening)|(hours|a day|days|two days|a whole day) after|"
    r"(two|three|four|five|six|several|a few|a couple of) hours|(from|since|over|more than) (one|an) hour|"
    r"(thirty|forty|forty five|fifty|sixty|ninety) (minutes|mins)|"
    r"been (an|one|over an|more than an) hour|been (ages|forever|so long|a long time|too long)|"
    r"(an|a good|one|over an|more than an) hour (after|later)|(long|well|ages) after|hours later|"
    r"(three|four|five|six|seven|eight|nine|ten|several|so many) (of them |cramps )?"
    r"in (the last|an|one|half an) hour|"
    r"(three|four|five|six|seven|eight|nine|ten|several) (of them|cramps|times) in (five|ten|fifteen|twenty|thirty) "
    r"(minutes|mins))\b"
)
# Words of pain: lasting ones name the cramp too; those that answer a touch name how it feels.
_HURTS = "hurt|hurts|hurting|sore|pain|painful|paining|aches|aching"
_PAIN_WORD = re.compile(rf"\b(cramp|cramps|cramping|cramped|{_HURTS}|ache|ached|soreness|spasm|spasming|agony|"
                        r"agonising|agonizing|going on|been going|throbbing|throbs)\b")
# A pain that will not end, said without a pain word: "it won't stop, it's been hours".
_PERSISTING = re.compile(r"\b(it|this|they|cramp|cramps|pain|ache) (just |still |really )?(will not|would not|does not|"
                         r"is not|has not) "
                         r"(stop|stopping|go|going|go away|gone|gone away|ease|eased|easing|let up|letting up|settle|"
                         r"settling|quit|budge|shift|die down|fade|clear|clear up|leave me)\b")
# Pain that will not go away is the lasting pain itself, however it is said ("i have much pain in leg that not go
# away"); a cramp that will not stop is a cramp going on, and stays one. Someone who "is a pain" is a nuisance.
_PAIN_STAYS = re.compile(r"(?:(?<=there is a )|(?<!is a ))(?<!are a )(?<!such a )(?<!a real )(?:"
                         r"\b(pain|ache|aching|soreness|hurting|tenderness)\b( \w+){0,4} (just )?(will not|would not|"
                         r"does not|do not|is not|not|never) (go|going|goes) away\b"
                         r"|\b(keeps|kept|is|it is) going (on )?and going\b"
                         # "the ache just sits there now it never fully goes".
                         r"|\b(pain|ache|it) (\w+ ){0,2}never (fully |really |completely |properly )?(goes|leaves|"
                         r"stops)\b"
                         r"|\b(pain|ache|soreness) (just )?(sits|stays|lingers|hangs around) there\b"
                         r"|\b(goes|going|went|keeps going) on and on\b)")
_TOUCH_PAIN = re.compile(rf"\b({_HURTS}|tender|throbs|throbbing|agony|stings|kills|yelps?|yelped|winces?|wincing|"
                         r"winced|flinch\w*|screams?|screamed|hit the (ceiling|roof))\b")


# Body parts that are not a leg: a pain there, however long, is not the source's warning sign.
_ELSEWHERE = re.compile(r"\b((my|her|lower|upper) back|head|headache|neck|shoulders?|tummy|stomach|belly|bump|"
                        r"tooth|teeth|arms?|hands?|wrists?|breasts?|boobs|hips?|pelvis|ribs|bum|jaw|ears?|eyes?)\b")


def _pain_lasting(clause: str) -> bool:
    """Pain that lasts far longer than a cramp, outlasts it, or is unlike the usual cramps.

    Not "is sitting for a long time bad for cramps", a habit.
    """
    if _ELSEWHERE.search(clause) and not _LEG_NAMED.search(clause):
        return False  # "my lower back has been aching all day": not a leg
    if any(not _negated(clause, m.start(), m.end(), False) for m in _UNLIKE_USUAL.finditer(clause)):
        return True  # "this cramp is way worse than usual", "it's not like my normal cramps it's much more intense"
    if _PERSISTING.search(clause) and (_LONG_LASTING.search(clause) or _UNUSUALLY_SEVERE.search(clause)
                                       or _STAYS_PAST.search(clause)):
        return True  # "it's been well over an hour and it's not eased", "worse than any cramp and it's not going"
    if (_PAIN_WORD.search(clause) and (_HOURS_AGO.search(clause) or _CRAMP_OVER.search(clause))
            and _STILL_HURTING.search(clause)):
        return True  # "the cramp ended hours ago but the pain in my calf is still there", "the cramp went but it
        # still hurts when i walk" (every held-out writer called pain outlasting the cramp a warning sign)
    if _PERSISTING.search(clause) and _CRAMP_OVER.search(clause):
        return True  # "the cramp's gone but the ache just won't quit"
    if any(not _negated(clause, m.start(), m.end(), False) for m in _PAIN_STAYS.finditer(clause)):
        return True  # "is it bad that the pain won't go away"
    if _UNUSUALLY_SEVERE.search(clause) and _EXTREME.search(clause):
        return True  # "this cramp is unbearable i've never had one this strong"
    if _PAIN_GOES_ON.search(clause):
        return True  # "is it bad if the pain just keeps going after the cramp", "now it hurts all the time"
    if any(not _negated(clause, m.start(), m.end(), True) for m in _CONSTANT_ACHE.finditer(clause)):
        return True  # "not like a cramp any more, just a constant deep ache"
    # The pain word carries the negation: "it has not hurt for hours" is no finding, "the pain has not eased off for
    # over an hour" is one. Each pain word is asked: in "the cramp's gone but the ache has stayed all day" the first
    # is denied, the second lasts. "Two hours ago" is when, not how long.
    lasting = [m.end() for m in _LONG_LASTING.finditer(clause) if not clause.startswith(" ago", m.end())]
    return any(not _negated(clause, p.start(), p.end(), True) and any(end > p.end() for end in lasting)
               for p in _PAIN_WORD.finditer(clause))


# The pain stays past relief tried or since something: "the pain just won't go even after i walked around".
_STAYS_PAST = re.compile(r"\beven (after|when|though|with|if)\b|\bsince\b")
# Clothes that no longer close over the leg: "my boot won't zip up over my calf any more" (the "not" is the finding).
_CLOTHES_DO_NOT_FIT = re.compile(
    r"\b(boot|boots|jeans|leggings|trousers|sock|socks|shoe|shoes|trainers|slippers|tights)( \w+){0,2} "
    r"(will not|would not|does not|do not|can not) (even |quite )?(zip|zip up|fit|go on|close|button|do up|pull up|"
    r"go over|get over)\b"
    r"(?=.*\b(leg|legs|calf|calves|ankle|ankles|foot|feet|one side|(left|right) (side|one|leg))\b)"
    # A foot that no longer goes in: "one of my feet doesn't fit in my slipper anymore".
    r"|\b(foot|feet|leg|legs|calf|calves|ankle|ankles)( \w+){0,2} (will not|would not|does not|do not|can not) "
    r"(even )?(fit|go) (in|into) (my|her|the) (\w+ )?(slipper|slippers|shoe|shoes|boot|boots|sock|socks|trainers|jeans|"
    r"trousers|leggings|sandal|sandals)\b"
    # Clothes gone tight round a leg: "my pyjama bottoms feel tight round one calf all of a sudden".
    r"|\b(pyjamas|pyjama|pajamas|pajama|bottoms|trousers|leggings|jeans|sock|socks|tights|stockings|boot|boots|shoe|"
    r"shoes)( \w+){0,2} (feel|feels|are|is|getting|gone|went|got) (so |really |very |a bit |all )?(tight|tighter|snug|"
    r"snugger)( \w+){0,2} (round|around|on|over|at) (one|my|her|the left|the right|the one) (calf|ankle|leg|shin)\b"
    # A boot that will not close is the calf: "my boot won't zip up any more".
    r"|\b(boot|boots|wellies|wellington|wellingtons)( \w+){0,2} (will not|would not|does not|do not|can not) "
    r"(zip|zip up|fit|go on|close|do up|pull up|go over|get over)\b"
)
_HOURS_AGO = re.compile(r"\b(hours|an hour|two hours|three hours|ages) ago\b")
_CRAMP_OVER = re.compile(r"\b(cramp|it) (is |has )?(long |well )?(gone|went|stopped|eased|eased off|finished|ended|"
                         r"let go|passed|over|done)\b|\b(not|no longer|stopped) cramping\b|\bafter the cramp\b")
_PAIN_GOES_ON = re.compile(
    r"\b(pain|ache|aching|hurting|soreness) (\w+ ){0,2}(keeps|kept|carries|carried|goes|went|stays|stayed|lingers|"
    r"lingered|lasts|lasted) (?!away|off)(going |on |around )?(\w+ ){0,3}after the cramp\b"
    r"|\b(hurts|aches|is sore|is painful|throbs) (\w+ ){0,2}all the time\b"
)
_CONSTANT_ACHE = re.compile(r"\b(pain|ache|aching|soreness|it) (is|has been) (just |so |really )?(relentless|"
                            r"unrelenting|endless|never ending|constant|continuous)\b|"
                            r"\b(constant|continuous|persistent|lingering|steady|nonstop|relentless|unrelenting) "
                            r"(deep |dull |throbbing )?"
                            r"(ache|aching|pain|soreness)\b")
_STILL_HURTING = re.compile(r"\bstill ((really|so|very|quite|properly|bloody|pretty|super|damn) ){0,2}"
                            r"(there|here|hurting|hurts|sore|aching|aches|"
                            r"painful|throbbing|bad|worse|going|killing me)\b"
                            r"|\b(pain|ache|soreness) (is|stays|stayed) (still )?there\b")
_UNUSUALLY_SEVERE = re.compile(r"\bworse than (any|every|all|my) (other )?(cramp|cramps|pain)|"
                               r"\bworst (pain|cramp|cramps)( i have)? ever\b|"
                               r"\bnever (had|felt|known) (one|a cramp|a pain|pain|anything|cramps?) "
                               r"(this|so|as|like this|like it)\b")
_EXTREME = re.compile(r"\b(unbearable|excruciating|agony|agonising|agonizing|torture|insane|by miles)\b")
# Unlike the cramps one knows: "way worse than usual", "not like my normal cramps". (A worst-ever cramp alone stays a
# cramp: earlier held-out writers labelled "worst cramp i've ever had" so, and the source asks for frequent and severe.)
_UNLIKE_USUAL = re.compile(
    r"\b((worse|more painful|more intense|stronger) than (usual|normal|(my|her) (usual|normal|other) (ones|cramps))|"
    r"not (like )?(my|a|the|any|her) (normal|usual|regular|ordinary|other) (cramp|cramps|ones)|"
    # Beyond any cramp before: "way worse than any cramp i've had before", "way more than her normal cramps".
    r"(worse|stronger|more painful) than (any|every) (other )?(cramp|cramps)( i have| she has)?( ever)?( had)? before|"
    r"(\w+ times|way|much|far|a lot) (worse|stronger|more) than (my|her|any|the) (normal|usual|other|regular) "
    r"(cramp|cramps|ones)|"
    r"(is|are|that is|this is|it is) not (normal|usual) for (me|her)|"
    # ("like" is dropped: "it's nothing like normal" arrives as "it is nothing normal".)
    r"nothing (like )?(normal|usual|my normal|her normal|my usual|her usual)|(way |far )?beyond any (other )?"
    r"(cramp|cramps|pain))\b"
)


# Tenderness said any way round: "pressing on my calf really hurts", "it throbs when i press on it". Touching the toes
# is a stretch, not a test of the leg. The leg must be named; what touches it may be anything ("it hurts when the
# blanket touches my leg").
_TOUCH = re.compile(r"\b(touch|touches|touched|touching|press|presses|pressed|pressing|squeeze|squeezes|squeezing|"
                    r"poke|pokes|poking|prod|prodding|brush|brushes|brushing|resting on|rub|rubbing|rubs|"
                    r"(put|putting|puts|lay|laid) (my|a|her|his) (hand|palm|finger|fingers) on|rest on|rests on|lie on|"
                    r"lies on|lying on|"
                    # bedclothes on it: "i can't even have the duvet on it without it hurting"
                    r"(have|keep|put) (the |my |a |her )?(duvet|sheet|sheets|blanket|blankets|covers|cover|quilt) "
                    r"(on|over))\b(?! (my |the )?toes)")
_LEG_NAMED = re.compile(r"\b(leg|legs|calf|calves|shin|shins|ankle|ankles|thigh|thighs|knee|knees|skin|muscle)\b")


# "I can not bear anyone touching my calf": the "not" belongs to the bearing, not to the pain.
_CANT_BEAR = re.compile(r"\b(can not|could not) (bear|stand|take|handle) (\w+ ){0,3}(touching|touch|to touch|brushing|"
                        r"pressing|near|on)\b")
# Cramps so frequent that their number alone is the warning sign: "every hour", "ten times a night", "constant".
_VERY_FREQUENT = re.compile(
    r"\b(every (hour|half hour|few minutes|ten minutes|twenty minutes|thirty minutes)|constant|constantly|nonstop|"
    r"non stop|over and over|again and again and again|"
    r"(five|six|seven|eight|nine|ten|a dozen|twelve|fifteen|twenty|\d+) times? (a|an|per|every|each|in the|"
    r"in one|tonight|already)|(many many|so many|too many|loads of|lots of) times (tonight|today|this night)|"
    r"(ten|twelve|fifteen|twenty|thirty) times?$|one after (another|the other)|cramp after cramp|back to back|"
    r"(lost|losing) count)\b"
)
# Counted so far tonight, which names the cramp by itself: "that's the sixth one tonight", "woken up four times".
_COUNTED = re.compile(
    r"\b(had|got|having|that is) (three|four|five|six|seven|eight|nine|ten|twelve) (already|so far|tonight)\b|"
    r"\bcramp number (four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|\d+)\b|"
    r"\b(fourth|fifth|sixth|seventh|eighth|ninth|tenth) (one|cramp|time) (tonight|today|this evening|in an hour|"
    r"since (midnight|bedtime|i went to bed))|"
    r"\b(third|fourth|fifth|sixth|seventh|eighth|ninth|tenth) (one|cramp|time) (this hour|in an hour|in the last hour|"
    r"in half an hour|in (the last )?(five|ten|fifteen|twenty|thirty) minutes)|"
    r"\b(five|six|seven|eight|nine|ten|a dozen) (cramps|of them|times) (tonight|today|this evening|already|"
    r"since (bedtime|midnight|i went to bed))|"
    r"\b(woken|woke|waking) (me )?(up )?((by|with) (it|them|cramps|the cramps|a cramp) )?((two|three|four) or )?"
    r"(three|four|five|six|seven|eight|several) times\b"
)
# Nightly, and many times each night: "i've got cramps most nights now and several times a night".
_NIGHTLY = re.compile(r"\b((every|each|most) (single )?nights?|night after night|nightly)\b")
_MANY_A_NIGHT = re.compile(r"\b(two|three|four|five|several|a few|a couple of|multiple|many) times "
                           r"(a|per|each|every|in the) night\b|\b(two|three|four|five|several|many|multiple) "
                           r"(times|cramps)\b|\b(two|three|four|five|six) (or \w+ )?(a|per|each|every) night\b")


def _very_frequent(clause: str) -> bool:
    if _COUNTED.search(clause):
        return True
    if _NIGHTLY.search(clause) and _MANY_A_NIGHT.search(clause) and _PAIN_WORD.search(clause):
        return True
    # "This is happening ten times a night": in a talk about cramps, "this" is the cramp.
    pain = _PAIN_WORD.search(clause) or _HAPPENING.search(clause)
    if pain is None or _negated(clause, pain.start(), pain.end(), True):
        return False
    for m in _VERY_FREQUENT.finditer(clause):
        # One cramp that is "constant" is a cramp going on now; constant cramps are the warning sign.
        if (m.group(1) in ("constant", "constantly", "nonstop", "non stop") and _PLURAL_PAIN.search(clause) is None
                and _ONE_CRAMP.search(clause)):
            continue
        if not _negated(clause, m.start(), m.end(), True):
            return True
    return False


_HAPPENING = re.compile(r"\b(happening|happens|keeps happening|coming|comes back|waking me|wakes me|"
                        r"(keep|keeps|kept) getting( them)?|getting them)\b")
_PLURAL_PAIN = re.compile(r"\b(cramps|spasms|pains|cramping|pain)\b")
_ONE_CRAMP = re.compile(r"\bcramp\b")
_KEEP_WARM = re.compile(r"\b(keep|keeping|keeps|kept|get|getting|stay|staying) (my |your |her |the )?"
                        r"(legs?|feet|calves|calf|body|self|myself|yourself|them|it) (warm|warmer|hot|cosy|cozy)\b")


_IT_OR_HER = re.compile(r"\b(it|her)\b")
# Another person's leg is not the speaker's sign ("my husband's sunburnt legs"). Those who may be the pregnant
# person are not in the list: a partner says "my wife", a parent "my daughter" ("my daughter's calf is swollen"), a
# child "mum" ("mum's leg's swollen", said now; a mother's swelling long ago is history), and a friend or sister may
# be the one expecting.
_LEG_PARTS = r"(leg|legs|calf|calves|shin|shins|ankle|ankles|foot|feet|thigh|thighs|knee|knees|skin)"
_OTHERS_LEG = re.compile(r"\b(husband|boyfriend|brother|dad|father|son|kid|kids|child|toddler|uncle|nan|"
                         rf"gran|granny|grandma|grandad|dog|cat) (\w+ )?({_LEG_PARTS[1:-1]}|paw|paws)\b"
                         # A man's leg is never hers: "my husband twisted his ankle at football and it's swollen".
                         rf"|\b(his|him) (left |right |bad |other )?{_LEG_PARTS}\b")
# Someone who is not her has the sign: "the toddler has a red rash from his nappy".
_SOMEONE_ELSE_HAS = re.compile(r"\b(toddler|baby|son|boy|kid|kids|child|dog|cat|puppy) (has|had|is|got|has got)\b")
_OWN_LEG = re.compile(rf"\b(my|me|her) (left |right |lower |upper |whole |other )?{_LEG_PARTS}\b")
# Asking what a word means is no report: "what does tender mean when they say tender legs".
_ASKING_MEANING = re.compile(r"^what (does|do) (the word )?(?!it |that |this )\w+ mean\b"
                             r"|^(explain|tell me|say) what (?!it |that |this )(\w+ ){1,5}(actually |really )?means?\b"
                             r"|\bwhat do (they|you|doctors|the doctors) mean by\b")
# What it may be when "it" is touched and hurts, other than the leg.
_OBJECTS_TOUCHED = re.compile(r"\b(button|screen|phone|stove|oven|kettle|pan|iron|plate|wound|cut|bruise|toe|toes)\b")


def _touch_hurts(clause: str) -> bool:
    if _CANT_BEAR.search(clause) and _LEG_NAMED.search(clause):
        return True
    # "even the duvet resting on it hurts": with no other part named, "it" is the leg.
    placed = _LEG_NAMED.search(clause) is not None or (
        _IT_OR_HER.search(clause) is not None and _ELSEWHERE.search(clause) is None
        and _OBJECTS_TOUCHED.search(clause) is None)
    return (_TOUCH.search(clause) is not None and placed
            and any(not _negated(clause, m.start(), m.end(), True) for m in _TOUCH_PAIN.finditer(clause)))


# A sign from long ago is history, not a report: "i fainted once when i was a teenager".
_LONG_AGO = re.compile(r"\b((years|months) ago|years back|last (year|month|summer|winter|spring|autumn|fall)|"
                       r"when i was (about |only |around |like )?(a |little|young|small|\w+teen|twelve|eleven|ten|nine|"
                       r"eight|seven|six|five|at school|in school)|once (at|in) (school|college|uni|university|work)|"
                       r"ages ago|as a (kid|child|teenager)|"
                       r"in (my|her|their) (last|first|previous|own) pregnancy|in (her|their) (\w+ )?(pregnancy|"
                       r"pregnancies|trimester)|once when|last (week|weekend)|last time (i|she) was (pregnant|"
                       r"expecting)|during (her |my )?(labour|labor|the birth|birth)|after (the|her|my) birth|"
                       r"in the (fifties|sixties|seventies|eighties|nineties|\d+s)|"
                       # "once" at the end dates an event ("i fainted once"), not "it hasn't let up once".
                       r"used to|(?<!up )(?<!off )(?<!stopped )(?<!eased )once$|on a (long )?(flight|plane)|"
                       # An occasion of one's own, over by now: "my mum passed out at my wedding", "...at my cousin's
                       # christening" (not "she collapsed at the party", which may be now).
                       r"(at|during) (my|our|her|his|their) (\w+ )?(wedding|christening|funeral|graduation|"
                       r"baby shower|hen do|stag do|prom)|"
                       # A pregnancy of someone else's, or one before: "she fainted loads when she was pregnant".
                       r"when (she|he|they|my \w+) (was|were) (pregnant|expecting|little|young|younger|a kid|a child|"
                       r"a teenager))\b")

# After "no", these words start a new statement: a self-correction ("my heart, no, my chest hurts") or a request
# (speech has no commas: "no, call an ambulance", answering "is it easing?", arrives as "no call an ambulance").
# "no need to call" and "do not call" stay negated.
_NEW_STATEMENT_AFTER_NO = frozenset(
    "my it i the its her she this that wait sorry actually his call get phone ring dial send help please somebody "
    "someone".split()
)
_SUBJECTS = frozenset("i she he it they we you".split())
# A belief denied just before a finding denies it: "i do not think my calf is swollen".
_DENIED_BELIEF = re.compile(r"\b(do|does|did) not (think|believe|reckon|suppose)"
                            r"( (?!(but|although|though|however|yet)\b)\w+){0,4} ?$")
# A negator this close before a finding cancels it ("no chest pain", "it is not swollen").
_NEGATION_WINDOW = 4
# "Can not ... without" before a finding: it happens whenever the thing is done ("can not walk without gasping").
_CANNOT_WITHOUT = re.compile(r"\b(can not|could not)\b.* without( \w+){0,2}$")
# Words that say the finding is absent even after it ("swelling? none").
# "Gone" only as the end of it: "the swelling is gone now", not "my chest's gone all tight".
# A question answered at once: "wait is it red no no it isn't".
_POST_NEGATIONS = re.compile(r"^\s*((in|on|around) (my|her|the) \w+ )?(at all|none|went down|has gone down|went away|"
                             r"has gone away|(is )?gone(?=$| now| away| completely| thank| though| but| already)|"
                             r"(no |nope |nah )*(because |cause )?((it|they|she) )?(is|are|does|do) not"
                             r"( though| really| at all)?$)"
                             r"\b")


@dataclass(frozen=True)
class Finding:
    """A safety finding in an utterance."""

    intent: str
    """``emergency`` or ``red_flag``."""
    strong: bool
    """True when a specific pattern matched; False for a single suggestive word (ask to confirm)."""


def _negated(clause: str, start: int, end: int, inner: bool) -> bool:
    if inner and _DENIED_BELIEF.search(clause[:start]):
        return True  # a sign's finding only: "i do not think i can breathe" is still an emergency
    before = clause[:start].split()
    # "neither leg is red or puffy", "not swollen or warm": a sign joined by "or" shares the denial before it.
    reach = _NEGATION_WINDOW + 4 if before and before[-1] in ("or", "nor") else _NEGATION_WINDOW
    window: list[str] = []
    for i in range(len(before) - 1, -1, -1):
        word = before[i]
        if word in CLAUSE_BREAKS:
            break
        nxt = before[i + 1] if i + 1 < len(before) else clause[start:end].split()[0]
        if word == "no" and nxt in _NEW_STATEMENT_AFTER_NO:
            break  # "my heart, no, my chest hurts": a correction, not a denial
        window.append(word)
        if len(window) >= reach:
            break
        if word in _SUBJECTS and len(window) > 1:
            break  # "she is not responding she fainted": a new subject starts a new statement
    matched = clause[start:end]
    if not inner and any(w in NEGATORS for w in matched.split()):
        # "no air, can not breathe": a finding that carries its own "not" is not undone by an earlier one.
        return False
    # "can not breathe" carries its own "not": only a negator *before* the pattern cancels it.
    if any(w in NEGATORS for w in window):
        if _CANNOT_WITHOUT.search(clause[:start].rstrip()):
            return False  # two denials affirm: "i can not even have the duvet on it without it hurting" hurts
        # "no" answering then reporting ("no, but it is swollen") is split by punctuation earlier;
        # "i do not know if it is swollen" keeps the finding (unsure is not "no").
        if "know" in window or "sure" in window or "if" in window:
            return False
        return True
    if _POST_NEGATIONS.match(clause[end:]):
        return True
    if inner:
        # "it is not red": a negator inside the span cancels it too (not for "can not breathe").
        return any(w in NEGATORS for w in matched.split())
    return False


def _gate(patterns: list[re.Pattern[str]]) -> re.Pattern[str]:
    # One combined search first: most utterances mention nothing of the kind, and then one regex run suffices.
    return re.compile("|".join(f"(?:{p.pattern})" for p in patterns))


_frequent_list = [_frequent]
_severe_list = [_severe]
# Keyed by the identity of the module-level lists above (they live as long as the module).
_GATES: dict[int, re.Pattern[str]] = {
    id(lst): _gate(lst)
    for lst in (_strong_em, _call_em, _weak_em, _strong_red, _weak_red, _frequent_list, _severe_list)
}


def _search(patterns: list[re.Pattern[str]], clause: str, inner: bool = True) -> bool:
    gate = _GATES.get(id(patterns))
    if gate is not None and gate.search(clause) is None:
        return False
    for pattern in patterns:
        for m in pattern.finditer(clause):
            if not _negated(clause, m.start(), m.end(), inner):
                return True
    return False


# A sign in a question or advice about what if: "how would i know if my leg was swollen", "my mum always said call
# an ambulance if you get chest pain". What comes before the "if" is still a report ("my calf is red what do i do
# if it gets worse"); a call in such a clause is advice, not a request.
_HYPOTHETICAL = re.compile(
    r"\bif (my|the|it|her|she|i|your|one|leg|legs|calf|ankle) (\w+ ){0,3}(ever|gets|goes|becomes|starts|turns)\b"
    # What if, of something to come: "what if i faint while i'm home alone".
    r"|^what (happens )?if (i|she|you|we) (ever )?(faint|collapse|pass out|black out|get|start|stop|can not|go)\b"
    r"|\bif you (\w+ ){0,2}(have|get|feel|notice|see|ever)\b"
)
# "Was" is a what-if only after asking how one would tell ("how would i know if my leg was swollen"); elsewhere it
# may report ("should i worry if my calf was red all evening").
_HOW_TO_TELL = re.compile(r"^how (would|do|will|can|could) (i|you|we|one) (know|tell)\b"
                          r"|^what (would|should|do|will) (i|you|we) do\b")
_WHAT_IF_PAST = re.compile(r"\bif (my|the|it|her|she|i|your|one) (\w+ ){0,3}(was|were|had|got|went)\b")
# A sign asked about in general, not of one's own leg ("is it normal that my calf is red" reports):
_ASKED_IN_GENERAL = re.compile(
    # whether a sign ever comes with cramps: "does chest pain ever happen with leg cramps";
    r"^(does|do|can|could) (?!.*\b(my|me|her|she|i|it|this)\b)(\w+ ){1,3}ever (happen|come|go|occur)\b|"
    # as normal in pregnancy: "is shortness of breath normal in the third trimester";
    r"^(is|are|can) (?!.*\b(my|me|her|she|it)\b)((\w+ ){1,4}(normal|common|usual|expected) (in|during|for|when|at) "
    r"(pregnancy|pregnant|late pregnancy|the (first|second|third|last) trimester|pregnant women|pregnant people|"
    r"\w+ weeks)\b|.*\b(in general|generally speaking)$)"
    # as a worry for later: "do i need to worry about chest pain later in pregnancy";
    r"|^(do|should|would|will|can) (i|we|you)( need to| have to)? (worry|be worried|panic) about "
    r"(?!.*\b(my|her|it|this)\b)(?=.*\b(later|in pregnancy|during pregnancy|trimester|in general|ever)\b)"
    # as someone's question: "my friend asked me if swelling is normal in the third trimester";
    r"|\b(asked|wondering|wonder|asks) (me )?(if|whether) (\w+ ){1,3}(is|are) (normal|common) (in|during)\b"
    # of the assistant: "do you ever get breathless talking to people like me".
    r"|^(do|did|are|can|have|would) you (ever )?(get|feel|have|go|become)\b"
)
# Asked of a sign in general: "can swelling in pregnancy ever be normal".
_EVER_NORMAL = re.compile(r"\bever be (normal|ok|okay|fine|harmless|nothing)\b")
_ADVICE_OR_QUESTION = re.compile(r"^(how|what|should|do|does|would|when|is|can|could|will|if)\b"
                                 r"|\b(said|says|told me|tells me|always say|is telling|keeps telling|telling me)\b|"
                                 + _FOR_LATER)
# Something read or heard about a sign is no report of it: "i heard chest pain can be serious in pregnancy".
_HEARSAY = re.compile(
    # Not of someone: "i heard she can not breathe" is a report passed on.
    r"\b(i|we) (have )?(read|heard|was told|were told) (somewhere |online )?(that )?"
    r"(?!(she|he|i|my|her|his|we|they|you|it)\b)(\w+ ){1,5}"
    r"(can|could|may|might|cause|causes|is a sign|are a sign|means?)\b"
    r"|\b(they say|people say|apparently) (\w+ ){1,3}(can|could|may|might|cause|causes)\b"
    # Advice passed on: "the midwife said to watch for tenderness".
    r"|\b(said|says|told (me|us)|tells (me|us)) to (watch|look|keep an eye|check) (out )?(for|on)\b"
    # What a leaflet or a website says: "the leaflet mentions redness and warmth as things to look for".
    r"|\b(leaflet|booklet|pamphlet|website|app|article|book|guide|nhs|poster|card|notes) (\w+ ){0,2}(says|said|"
    r"mentions|mentioned|lists|listed|talks about|describes|warns about)\b"
    r"|\bas (things|signs|symptoms) to (look|watch) (out )?for\b"
    # A rule passed on: "the tv doctor said chest pain always means call an ambulance".
    r"|\b(said|says|told (me|us)|tells (me|us)) (that )?(?!(she|he|i|my|her|his|we|they|you|it)\b)(\w+ ){1,3}"
    r"(always |usually |often |can |could )?(means?|is a sign|are a sign|is serious|are serious)\b"
)
# A topic to raise with someone, or what counts as a sign, with no leg of one's own in it: "remind me to ask my
# midwife about swelling", "what counts as redness".
_A_TOPIC = re.compile(r"\b(ask|tell|asking|telling|mention|mentioning)( \w+){0,3} (midwife|doctor|gp|nurse|"
                      r"obstetrician|consultant|health visitor) about\b|" + _WHAT_COUNTS
                      + r"|^(is|are) (redness|swelling|tenderness|warmth|inflammation) (something|a sign|a symptom|"
                      r"a worry|a reason)\b")
# A rule asked about, not a report: "chest pain is a reason to call right".
_A_RULE = re.compile(r"^(is |are )?(chest pain|breathlessness|shortness of breath|fainting|coughing blood|swelling|"
                     r"redness)( \w+){0,2} (a |an |always a |usually a )?(reason|grounds|cause) (to|for) (call|ring|"
                     r"phone|worry|go|panic|calling|ringing|worrying)\b")
# A sign that has gone again: "my ankles were swollen last week but it all went down", "the swelling from my flu jab
# has gone down".
_RESOLVED = re.compile(r"\b(it|they|that|swelling|puffiness|it all|they all)( \w+){0,6} (went|has gone|had gone|came|"
                       r"has come) down\b|\b(went|has gone|have gone|is|are) back to normal\b")
# Breath lost to an effort and back again is no emergency: "i got out of breath blowing up balloons but i was fine
# after".
_BREATH_CAME_BACK = re.compile(r"\b(out of breath|breathless|puffed|puffing|winded)\b.* but (i|she) (was|felt) "
                               r"(fine|ok|okay|alright|all right|better) (after|afterwards|again|later)\b")
# Blushing is no sign: "my boyfriend went red when i asked him to rub my leg".
_BLUSHING = re.compile(r"\b(boyfriend|husband|he|him|i|she) (\w+ ){0,2}(went|goes|turned|go|go all) (bright |all )?"
                       r"(red|pink|scarlet|beetroot) (when|because|at)\b")
# Warm all over is no leg's sign: "is it normal to feel warmer in general when pregnant".
_WARM_ALL_OVER = re.compile(r"\b(feel|feeling|feels|run|running|runs) (\w+ )?(warm|warmer|hot|hotter)\b"
                            r"(?=.*\b(in general|all over|generally|overall|when pregnant|in pregnancy)\b)")


# A sign that has gone again, said of the sign itself: "the tightness in my chest from last week's cold has completely
# gone". Not breathing that stopped, which is the emergency.
_SIGN_GONE = re.compile(r"^(the|my|her|that) (\w+ )?(tightness|pain|pressure|ache|heaviness|swelling|redness|puffiness|"
                        r"tenderness|soreness|warmth|rash)\b((?! and | but )( \w+)){0,7} (has|have|had|is|was) "
                        r"(completely |totally |all |now |fully |long |since |just )?(gone|cleared|passed|disappeared|"
                        r"settled|eased|stopped)( away| up| off| now| completely| again)?$")
# A man's trouble is no emergency of hers (a woman's may be the pregnant person's: "i get a pain in my chest when i
# take a deep breath" is a report):
_A_MANS_TROUBLE = re.compile(
    # a habit: "my husband gets short of breath on the stairs cause he's so unfit";
    r"\b(husband|boyfriend|dad|father|brother|son|grandad|he) (always |often |sometimes |usually |also )?gets "
    r"(\w+ ){0,4}(when|on|after|if|climbing|going up|walking|running|doing)\b"
    # out of breath from something: "he's out of breath from running up the stairs";
    r"|\bhe (is|was|gets|got|says he is|said he was) (\w+ ){0,2}(out of breath|breathless|puffed|short of breath|"
    r"winded) (from|after)\b"
    # passed: "his chest felt tight after the gym but he's ok now".
    r"|\bhe (is|was) (ok|okay|fine|all right)( now| again)?\b"
)


def _reported(clause: str) -> tuple[str, bool]:
    """The part of a clause that reports, and whether a what-if follows it (see _HYPOTHETICAL)."""
    what_if = _HYPOTHETICAL.search(clause) or (_WHAT_IF_PAST.search(clause) if _HOW_TO_TELL.search(clause) else None)
    if (what_if is None and _EVER_NORMAL.search(clause) is None) or _ADVICE_OR_QUESTION.search(clause) is None:
        return clause, False
    return ("" if what_if is None else clause[:what_if.start()].strip()), True


# Clauses that tell of something other than one's own emergency or sign now, whatever their words (each pattern's
# comment says why). Keeping the legs warm is a comfort, not a sign: "does keeping my legs warm at night help".
_NO_EMERGENCY_REPORT = (_IN_A_STORY, _NOSE, _ASKING_KIND, _A_RULE, _SIGN_GONE, _A_MANS_TROUBLE, _ASKED_IN_GENERAL,
                        _BREATH_CAME_BACK)
# Both legs alike is a denial: "no the sock marks are the same on both legs".
_BOTH_ALIKE = re.compile(r"\b(the )?same on both (legs|sides|calves|ankles|feet)\b"
                         r"|\bboth (legs|calves|ankles|sides|feet) "
                         r"(look|are|feel|seem|looking) (the same|equal|normal|fine)\b")
_NO_SIGN_REPORT = (_BOTH_ALIKE, _KEEP_WARM, _IN_A_STORY, _ASKING_KIND, _ASKING_MEANING, _RESOLVED, _BLUSHING,
                   _SIGN_GONE, _ASKED_IN_GENERAL)
# These say no sign of one's own unless the clause names a leg of one's own too.
_UNLESS_A_LEG_IS_NAMED = ((_A_TOPIC, _LEG_NAMED), (_WARM_ALL_OVER, _LEG_NAMED), (_OTHERS_LEG, _OWN_LEG),
                          (_SOMEONE_ELSE_HAS, _OWN_LEG))


def _none_of(patterns: tuple[re.Pattern[str], ...], clause: str) -> bool:
    return all(pattern.search(clause) is None for pattern in patterns)


def _may_report_a_sign(clause: str) -> bool:
    return _none_of(_NO_SIGN_REPORT, clause) and all(
        aside.search(clause) is None or leg.search(clause) is not None for aside, leg in _UNLESS_A_LEG_IS_NAMED)


def detect(clause_list: list[list[str]]) -> Finding | None:
    """Return the most urgent safety finding in the clauses of an utterance, or None."""
    text = " ".join(w for c in clause_list for w in c)
    whole = [" ".join(c) for c in clause_list] + ([text] if len(clause_list) > 1 else [])
    # "The cramp ended ages ago" dates the cramp, not the pain that has gone on since.
    whole = [c for c in whole if (_LONG_AGO.search(c) is None or _STILL_HURTING.search(c) or _CRAMP_OVER.search(c))
             and not _HEARSAY.search(c)]
    reported = [_reported(c) for c in whole]
    clauses = [c for c, _ in reported]
    asking_when = _ASKING_WHEN.search(text) is not None
    if any((_search(_strong_em, c, inner=False)
            or (not asking_when and not what_if and _search(_call_em, c, inner=False))
            or _emergency_cooccurs(c, calls=not what_if)) and _none_of(_NO_EMERGENCY_REPORT, c)
           for c, what_if in reported):
        return Finding("emergency", True)
    signs = [c for c in clauses if _may_report_a_sign(c)]
    red_strong = any(
        # "i spilled ribena on the sheets and it's all red": with a thing named and no leg, "it" is the thing.
        (not (_names_a_thing(c) and _LEG_NAMED.search(c) is None)
         and (_search(_strong_red, c) or _cooccur(c, _red_sign, _body, short=2) or _signs_named(c)))
        or _touch_hurts(c) or _very_frequent(c) or _CLOTHES_DO_NOT_FIT.search(c) is not None for c in signs)
    if not red_strong:
        red_strong = any(
            (_search(_frequent_list, c) and _search(_severe_list, c))
            or _pain_lasting(c)
            for c in clauses
        )
    if red_strong:
        return Finding("red_flag", True)
    if (_EMERGENCY_QUESTION.search(text) is None and _ASKING_KIND.search(text) is None
            and any(_search(_weak_em, c) and _none_of(_NO_EMERGENCY_REPORT, c) for c in clauses)):
        return Finding("emergency", False)
    if any(_search(_weak_red, c) and not (_names_a_thing(c) and _LEG_NAMED.search(c) is None) for c in clauses):
        return Finding("red_flag", False)
    return None
