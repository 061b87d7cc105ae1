"""Matcher behaviour on phrasings that are not in intents/: ASR slips, fillers, negation, scope."""

import pytest

from voice_guide.matcher import CONFIDENCE_CUTOFF, Match, NoMatch, default_model, match

CASES = [
    # punctuation, case, fillers
    ("Yes.", "yes"), ("YES!", "yes"), ("um, yeah", "yes"), ("uh huh", "yes"), ("Next!", "next"),
    ("um next please", "next"), ("uh... stop", "stop"),
    # negation
    ("I don't think so", "no"), ("not really", "no"), ("it's not swollen", "no"), ("no redness", "no"),
    ("no chest pain", "no"), ("I can breathe fine", "no"), ("no i am not breathless", "no"),
    ("not swollen no", "no"),
    # recognizer slips: dropped words, near-homophones
    ("text", "next"), ("i have cram", "cramp_now"), ("my calf is swolen", "red_flag"),
    ("i can breath", "no"), ("charlie horse again", "cramp_now"),
    # sleepy, fragmentary, indirect
    ("ow, my calf", "cramp_now"), ("charley horse again", "cramp_now"), ("it's locked up", "cramp_now"),
    ("cramp", "cramp_now"), ("is this bad", "is_serious"), ("it let go", "feeling_better"),
    # safety
    ("my leg is red and swollen", "red_flag"), ("the back of my calf feels hot to the touch", "red_flag"),
    ("these cramps are constant and excruciating", "red_flag"), ("I can't breathe", "emergency"),
    ("I coughed up some blood", "emergency"), ("I think I'm going to pass out", "emergency"),
    ("my chest hurts", "emergency"),
    # speech has no commas: "no, call an ambulance" is a request after an answer, "do not call" a denial
    ("no call an ambulance", "emergency"), ("oh no call an ambulance", "emergency"), ("no get help now", "emergency"),
    ("help i can not breathe", "emergency"), ("no do not call an ambulance", "no"),
    # safety: lasting pain, counted cramps, touch, breath lost, a weight on the chest (2026-12-07 rules)
    ("my calf has been cramping for over an hour", "red_flag"), ("the pain has gone on all night", "red_flag"),
    ("that's four cramps tonight and they're horrible", "red_flag"),
    ("even the duvet touching my calf hurts", "red_flag"), ("i've lost my breath", "emergency"),
    ("feels like a brick on my chest", "emergency"),
    # safety (set L, read on 2026-12-07 evening): a sign behind "is it an emergency if", pain since the afternoon,
    # cramps worse each time, a short answer that is a sign, a denied belief, asking when help is needed
    ("is it an emergency if i am coughing up blood", "emergency"), ("could this be an emergency my chest hurts",
                                                                    "emergency"),
    ("my calf has hurt since this afternoon", "red_flag"), ("the ache in my shin has lasted the whole evening",
                                                           "red_flag"),
    ("three cramps tonight and each one is worse", "red_flag"), ("yeah a bit swollen", "red_flag"),
    ("kind of puffy", "red_flag"), ("i don't think it's red", "no"), ("i do not believe it is swollen", "no"),
    ("when should i call an ambulance", "is_serious"), ("what counts as an emergency", "is_serious"),
    ("when should i call an ambulance my chest hurts", "emergency"), ("my lower back has ached all day", "none"),
    ("it's a bit warm in here", "none"),
    # safety (set M, read on 2026-12-07 evening once set N was written beside it): warmth said as heat given off,
    # swelling said by its marks, tenderness nobody may touch, cramps too frequent to need a severity word, a cough
    # that brings up something red, coming round on a floor; films where, novels, pets, noses, keeping legs warm
    ("my calf is giving off heat", "red_flag"), ("my sock leaves a deep dent in my shin", "red_flag"),
    ("the dent stays when i press my ankle", "red_flag"), ("i can't bear the sheet touching my calf", "red_flag"),
    ("cramps every hour tonight", "red_flag"), ("my cramp is constant and won't stop", "cramp_now"),
    ("i coughed up something pink", "emergency"), ("i came round on the bathroom floor", "emergency"),
    ("i'm panting and can't stop", "emergency"), ("we watched a show where a man collapses", "none"),
    ("the cat is breathing funny", "none"), ("i can't breathe through my nose it's blocked", "none"),
    ("is keeping my feet warm good for cramps", "ask_prevention"),
    # safety (set N, read once set O was written beside it): redness and warmth in other words, tenderness shown by a
    # flinch, a pain that will not stop, counted cramps; breath like drowning, blue lips, a cough with red in it, legs
    # giving way, the ambos; not reports: a first-aid course, collapsing with laughter, what sort of chest pain
    ("there's a pinky rash on my shin", "red_flag"), ("my calf is roasting", "red_flag"),
    ("i pressed my ankle and winced", "red_flag"), ("it won't stop it's been hours", "red_flag"),
    ("that's the fifth one tonight", "red_flag"), ("i feel like i'm drowning", "emergency"),
    ("her lips are turning blue", "emergency"), ("there's blood in my phlegm", "emergency"),
    ("my legs gave way and everything went grey", "emergency"), ("ring the ambos", "emergency"),
    ("my first aid course covered what to do if someone faints", "none"),
    ("we collapsed laughing", "none"), ("what kind of chest pain should i worry about", "is_serious"),
    ("my chest has gone tight", "emergency"), ("the swelling in my ankles went down", "none"),
    # safety (set O, read once set P was written beside it): a colour, heat pouring off, swelling said by size or
    # "blown up", touch that makes it achy, an hour of pain, cramps growing stronger or coming over and over, pain still
    # there hours after the cramp; a chest gone heavy, a tightness under the breastbone, out of puff, something pink
    # coughed up, sight going grey, a cry for help; not reports: long ago, someone else's leg, a word's meaning, a
    # warm remedy, a question asked for later
    ("her ankle has gone scarlet", "red_flag"), ("there's heat pouring off my shin", "red_flag"),
    ("my thigh has blown all up", "red_flag"), ("my calf looks huge", "red_flag"),
    ("my shin feels sensitive to the touch", "red_flag"),
    ("it's been an hour and the pain hasn't eased", "red_flag"),
    ("every cramp is stronger than the one before", "red_flag"), ("they keep coming over and over", "red_flag"),
    ("i had a cramp hours ago and it still hurts", "red_flag"),
    ("i had a cramp two hours ago and it's fine now", "none"),
    ("my chest has gone heavy", "emergency"), ("a tight feeling under my breastbone", "emergency"),
    ("i'm completely out of puff", "emergency"), ("there's pink in what she coughed up", "emergency"),
    ("my vision is going grey", "emergency"), ("somebody help", "emergency"),
    ("i fainted once when i was fifteen", "none"), ("my husband's calves are red from the sun", "none"),
    ("what does swelling mean", "none"), ("what does it mean if my calf is swollen", "red_flag"),
    ("the hot water bottle is lovely and warm on my leg", "ask_prevention"),
    ("the towel is warm but my calf is red and hot", "red_flag"),
    ("which number is the ambulance for future reference", "none"),
    # safety (set P, read once set Q was written beside it): a sock or shoe cutting in, one leg unlike the other, a
    # press that leaves a dent, a constant ache, pain an hour after the cramp or still there since, a third cramp
    # this hour; not waking, air that will not go in, something parked on the chest; not reports: what-if questions
    # and advice, things read or heard, a topic for the midwife, pretending, a cousin who is a paramedic
    ("my shoes are cutting into my feet tonight", "red_flag"),
    ("my right ankle looks puffy but not the left one", "red_flag"),
    ("i pushed on my shin and it made a dent", "red_flag"), ("there's a dull constant ache in my calf", "red_flag"),
    ("it's been aching a good hour after the cramp", "red_flag"),
    ("the cramp stopped ages ago but my calf is still sore", "red_flag"),
    ("that's the third one this hour and they're awful", "red_flag"),
    ("she's not waking up", "emergency"), ("my breath won't go in properly", "emergency"),
    ("feels like a truck is sitting on my chest", "emergency"), ("the cat is sitting on my chest", "none"),
    ("how would i tell if my calf was red", "is_serious"), ("what should i do if my leg ever swells up", "is_serious"),
    ("i read that swelling can be a sign of a clot", "is_serious"),
    ("call an ambulance if you get chest pain that's what my mum says", "is_serious"),
    ("my calf is swollen should i call if it gets worse", "red_flag"),
    ("ring nine nine nine if you have to i can't breathe", "emergency"),
    ("she collapsed what do i do if she stops breathing", "emergency"),
    ("my uncle is a paramedic", "none"), ("the kids were pretending to faint", "none"),
    ("why do i get cramps so often", "ask_causes"), ("i heard she can't breathe", "emergency"),
    ("should i worry if my calf was red all evening", "red_flag"), ("my ankle's all swole up", "red_flag"),
    # safety (set Q, read once set R was written beside it): cramps counted tonight, worse than ever, pain outlasting
    # the cramp or there all the time, one leg only, skin tight and glossy, a foot gone fat, tender under a blanket;
    # not getting enough air; not reports: things that collapse, a faint memory, a film that had fainting, a sign
    # asked about in general, a rule asked about, swelling that went down, a dog's paw; a parent may be reporting
    ("seven cramps tonight already", "red_flag"), ("they've been worse than ever tonight", "red_flag"),
    ("the cramp stopped but it still hurts", "red_flag"), ("my calf aches all the time now", "red_flag"),
    ("my ankle is puffy on one side only", "red_flag"), ("the skin on my calf looks all shiny", "red_flag"),
    ("my foot's gone all fat", "red_flag"), ("it's too tender to let the sheet rest on it", "red_flag"),
    ("my daughter's leg is red and hot", "red_flag"), ("she's not getting any air", "emergency"),
    ("she was lying on the bed and collapsed", "emergency"), ("the bookshelf collapsed in the night", "none"),
    ("i have a faint idea what you mean", "none"), ("the show had a woman fainting", "none"),
    ("is swelling something to worry about", "is_serious"), ("is chest pain a reason to call", "none"),
    ("my ankles were puffy yesterday but it all went down", "none"), ("my cat's paw is swollen", "none"),
    ("if you ever feel faint call an ambulance", "is_serious"),
    ("got a cramp in my calf as soon as i stretched out in bed", "cramp_now"),
    # safety (set R, read once set S was written beside it): tight only on the one leg, cramps said to come so often,
    # worse than usual or unlike the usual ones, pain that stays even after walking or since the cramp, a boot that
    # will not zip over the calf; Scots; not reports: advice passed on, a puppy, a medical drama, an ambulance for an
    # ordinary cramp or in a museum, warm all over, swelling from a jab gone down
    ("my leggings are only snug on the one calf", "red_flag"),
    ("the cramps keep coming so often tonight", "red_flag"), ("this one's much stronger than usual", "red_flag"),
    ("it's not like a normal cramp", "red_flag"), ("no it's no worse than usual", "no"),
    ("worst cramp ever right now", "cramp_now"), ("it still won't ease even after stretching", "red_flag"),
    ("the pain hasn't gone since the cramp", "red_flag"), ("my boots won't do up over my calves", "red_flag"),
    ("my jeans don't fit any more", "none"), ("she cannae breathe", "emergency"),
    ("the nurse told me to look out for redness", "is_serious"), ("my kitten collapsed on the sofa asleep", "none"),
    ("a man fainted on casualty tonight", "none"), ("should i get an ambulance for a leg cramp", "none"),
    ("i feel hot all over in pregnancy", "none"),
    ("the swelling on my arm from the jab has gone down", "feeling_better"),
    # set S (seventh session): pain outlasting a cramp said any way, pain that will not go away (not a cramp that
    # will not stop), woken with cramps again and again, nightly and many times a night, a boot that will not go on,
    # a worst-ever cramp that is also agony; breath that will not come or comes in sips, three-digit emergency
    # numbers; denials shared by "or", a question answered at once
    ("the cramp has stopped but the ache won't budge", "red_flag"),
    ("it's not cramping now but my calf still really aches", "red_flag"),
    ("i've been woken with cramps four times tonight", "red_flag"),
    ("there's a pain in my calf that just won't go away", "red_flag"), ("my wellies won't go on any more", "red_flag"),
    ("the cramp's well gone but it still hurts", "red_flag"),
    ("this cramp is agony i've never felt one this bad", "red_flag"),
    ("i get cramps most nights and three or four times a night", "red_flag"),
    ("there's a rosy patch on my shin", "red_flag"), ("my cramp won't stop", "cramp_now"),
    ("worst cramp ever", "cramp_now"),
    ("her breath won't come", "emergency"), ("i can only manage little breaths", "emergency"),
    ("there's no breath in me", "emergency"), ("dial one one one", "emergency"),
    ("ring nine nine seven please", "emergency"),
    ("neither calf is hot or swollen", "no"), ("is it swollen no no it isn't", "no"),
    ("it's not red or swollen but it is warm", "red_flag"),
    # set T (seventh session): worse than any cramp before, clothes tight round one calf, pain on after the cramp,
    # a dent left by a push, a leg huge next to the other, relentless pain, cramps past counting or counted in
    # minutes; blood after a cough, dropping like a stone, slumped and not answering, slips ("breed", "chess pain",
    # "past out"); "like" is dropped, so patterns do without it
    ("this is far worse than any cramp i've had before", "red_flag"),
    ("my leggings feel tight round one calf tonight", "red_flag"),
    ("it's still aching it never eased after the cramp", "red_flag"),
    ("the cramp's done but my calf's still pretty bloody sore", "red_flag"),
    ("when i press my thumb into my shin it leaves a dent", "red_flag"),
    ("my calf's huge compared to the other one", "red_flag"), ("the ache is relentless", "red_flag"),
    ("it keeps coming back i've lost count", "red_flag"), ("this is way worse than her usual cramps", "red_flag"),
    ("four cramps in fifteen minutes", "red_flag"), ("it's gripping my calf", "cramp_now"),
    ("i coughed and some blood came up", "emergency"), ("he went down like a sack of potatoes", "emergency"),
    ("she slumped forward and she's not answering me", "emergency"), ("i can't breed properly", "emergency"),
    ("i got chess pains", "emergency"), ("she past out", "emergency"),
    ("she went down like a stone at the party", "emergency"), ("my gran fainted at the wedding", "emergency"),
    ("i'm not joking i can't breathe", "emergency"), ("is it normal that my calf is swollen", "red_flag"),
    ("she has gone all limp", "emergency"), ("he will not respond", "emergency"), ("get one one one", "emergency"),
    ("i have no breath left", "emergency"), ("that's the seventh cramp this hour", "red_flag"),
    # set U (seventh session): a few a night every night, pain still there, an ache that never goes, socks that will
    # not even go on, "i don't think" not reaching past "but", an elephant leg, counted without "times"; lips a bit
    # blue, Jamaican, fallen and silent, "dropped" said alone
    ("she gets cramps three or four a night every night", "red_flag"),
    ("the cramp went but the pain is there", "red_flag"), ("the ache never really goes", "red_flag"),
    ("my support socks won't even go on the left leg", "red_flag"),
    ("it isn't puffy i don't think but it's definitely hot", "red_flag"),
    ("my ankle look like elephant today", "red_flag"), ("i've had the cramp like fifteen time", "red_flag"),
    ("her lips look a bit blue", "emergency"), ("mi cyaan ketch mi breath", "emergency"),
    ("he's just dropped", "emergency"), ("she fell and she's not moving", "emergency"),
    ("her eyes are shut and she won't answer", "emergency"), ("i can't brief", "emergency"),
    # set V (seventh session): pain on touch after a cramp long gone, counted against the usual or by number,
    # puffiness, a dent still there, a sausage, so fat the bone is lost, nothing like normal, beyond any cramp;
    # puffing, a weight on the ribs, the heart area burning, out for seconds, blood in phlegm, sitting up for air,
    # flat out on the floor, a vice, drowning, "coffin up blood"
    ("it hurts to press on it though the cramp stopped ages ago", "red_flag"),
    ("she usually gets one a week and tonight she's had five already", "red_flag"),
    ("that's cramp number ten since midnight", "red_flag"), ("yeah there's some puffiness round her ankle", "red_flag"),
    ("i pushed my finger in and the dent is still there", "red_flag"),
    ("her leg's come up like a sausage", "red_flag"), ("her ankle's so fat you can't see the bone", "red_flag"),
    ("this cramp is nothing like normal", "red_flag"), ("it's way beyond any cramp i've had", "red_flag"),
    ("should i be worried about a swollen calf", "red_flag"),
    ("she's puffing and just lying there", "emergency"), ("it feels like a truck is parked on my ribs", "emergency"),
    ("my heart area is burning", "emergency"), ("she was out for a few seconds", "emergency"),
    ("there's blood in my phlegm", "emergency"), ("i have to sit up to get air", "emergency"),
    ("she's flat out on the kitchen floor", "emergency"), ("my chest is in a vice", "emergency"),
    ("she's drowning", "emergency"), ("i'm coffin up blood", "emergency"),
    ("no the marks are the same on both legs", "no"), ("no coughing no blood", "no"),
    # stories, jobs, faint things and the weather are not reports
    ("a woman on the tv collapsed", "none"), ("the actor was coughing blood", "none"),
    ("my brother is a paramedic", "none"), ("i can hear a faint humming", "none"),
    ("it's really hot in here tonight", "none"), ("my breathing is fine i just can't sleep", "no"),
    ("my mum was watching a film and she fainted", "emergency"), ("i fainted watching tv", "emergency"),
    ("is it normal to have swelling after a cramp", "red_flag"), ("hot and red", "red_flag"),
    ("my calf still hurts three days later", "red_flag"), ("it has ached since last night", "red_flag"),
    ("the swelling went down", "none"),
    # tenderness any way round, counted and long pains, things long ago
    ("it stings when i prod my shin", "red_flag"), ("squeezing my calf is agony", "red_flag"),
    ("it has been aching for two hours straight", "red_flag"), ("five cramps in the last hour", "red_flag"),
    ("i feel breathlessness", "emergency"),
    ("i passed out once as a kid", "none"), ("my ankles swelled in my first pregnancy", "none"),
    ("a film about a man who faints", "none"), ("the ambulance strike is on the news", "none"),
    # out of scope, including near misses with escalation words
    ("what's the weather like tomorrow", "none"), ("play some music", "none"),
    ("is a warm bath good for cramps", "ask_prevention"), ("will a hot water bottle help", "ask_prevention"),
    ("my chest of drawers is by the bed", "none"),
    # polite frames around a bare command (the speech grammar allows them around every command)
    ("can you stop", "stop"), ("will you stop", "stop"), ("can you help me", "help"),
    ("could you repeat that please", "repeat"), ("could we go back thank you", "back"),
    # set W: pain that keeps on coming and is much worse; not reports: collapsing into giggles, a joke that is not
    # literal, a faint signal or light, breath lost blowing up balloons and back again
    ("the pain's not normal it's so much worse and it keeps on coming", "red_flag"),
    ("my sister collapsed into fits of laughter", "none"), ("honestly i could pass out ha not literally", "none"),
    ("the wifi is really faint up here", "none"), ("the night light looks so faint", "none"),
    ("the light went dim and i felt faint", "emergency"), ("she collapsed into my arms", "emergency"),
    # pain still killing after the cramp, a third cramp in ten minutes; not reports: a balloon that is red, a woman
    # fainting in every episode, swelling after a birth
    ("the cramp's over but my leg is still killing me", "red_flag"),
    ("that's the third cramp in fifteen minutes", "red_flag"),
    ("there's a red balloon tied to the bed", "none"), ("my ankle's swollen up like a balloon", "red_flag"),
    ("that soap has someone fainting in every episode", "none"),
    ("my sister said her ankles swelled up after the birth", "none"),
    # breathing that sounds wrong, a foot that will not go in a shoe, pain that "hasn't let up once" (not "once", a
    # date); not reports: what a sign means, explained
    ("her breathing sounds all raspy", "emergency"), ("my left foot won't go in my shoe anymore", "red_flag"),
    ("the pain's been there three hours and it hasn't let up once", "red_flag"),
    ("could you explain what swelling actually means", "none"),
    # consciousness coming and going; bedclothes that cannot rest on the leg without pain
    ("she's in and out of consciousness", "emergency"), ("my wife keeps coming to and going off again", "emergency"),
    ("she can't have the sheet over her leg without it hurting", "red_flag"),
    # "can not ... without" affirms what follows (it had read "i can't touch my calf without it hurting" as a "no")
    ("i can't touch my calf without it hurting", "red_flag"), ("i can't walk to the loo without gasping", "emergency"),
]


@pytest.mark.parametrize("text,intent", CASES)
def test_cases(text: str, intent: str) -> None:
    assert match(text).intent == intent


def test_result_types_and_confidence_range() -> None:
    m = match("I have a cramp")
    assert isinstance(m, Match) and m.intent == "cramp_now" and 0 < m.confidence <= 1
    n = match("order a pizza for delivery")
    assert isinstance(n, NoMatch) and n.intent == "none" and 0 <= n.confidence <= 1
    e = match("")
    assert isinstance(e, NoMatch) and e.reason == "empty"


def test_deterministic_and_pure() -> None:
    model = default_model()
    texts = [t for t, _ in CASES]
    first = [match(t, model) for t in texts]
    assert [match(t, model) for t in reversed(texts)] == list(reversed(first))


def test_hostile_text_never_raises() -> None:
    for text in ["\x00\x01\x1b[31m", "a" * 100_000, "🦵🔥", "\u202e gnirts", " ".join(["cramp"] * 5000), "...", "'"]:
        result = match(text)
        assert 0.0 <= result.confidence <= 1.0


def test_low_confidence_becomes_none() -> None:
    result = match("purple monkey dishwasher")
    assert result.intent == "none"
    assert CONFIDENCE_CUTOFF > 0


def test_unsure_escalation_is_reported_with_low_confidence_not_dropped() -> None:
    # A lone suggestive word: the dialog will say the advice conditionally and confirm.
    result = match("my chest")
    assert result.intent == "emergency" and result.confidence < 0.75


@pytest.mark.parametrize("text", ["i had a cramp for a minute", "it cramped for ten seconds", "the cramp lasted a bit",
                                  "it hurts when i touch my toes", "is sitting for a long time bad for cramps",
                                  # set S (seventh session): not reports of one's own sign or emergency now
                                  "generally when would you need an ambulance",
                                  # set W: breath lost to an effort and back again; whether a sign ever comes
                                  "does breathlessness ever happen with cramps",
                                  "my mum is coming round tomorrow", "i keep drifting in and out",
                                  "i got puffed out climbing the stairs but i was fine afterwards",
                                  "my dad sprained his ankle and it's swollen", "the chicken was so tender",
                                  "the steak at dinner was really tender", "he got to the top and caught his breath",
                                  "the pressure in my chest from the flu has gone",
                                  "what's the difference between swelling and a clot",
                                  "i've put nine nine nine on the fridge just in case",
                                  "my gp said swelling can mean a clot", "my husband gets breathless when he runs",
                                  "just so i know if i ever fainted who do i ring",
                                  "my sister is a pain that never goes away", "ring zero seven seven zero nine",
                                  # set T (seventh session)
                                  "my husband isn't answering his phone", "my gran fainted at my wedding",
                                  "i blacked out the windows for the baby",
                                  "my aunt said she was breathless when she was pregnant",
                                  "is swelling normal in late pregnancy", "what if i collapse in the night",
                                  "he was joking about passing out", "i nearly passed out laughing",
                                  "a woman fainted at my yoga class", "a man collapsed in the shop",
                                  "the app says warmth and swelling are signs",
                                  "my sister keeps telling me if my leg gets red go to hospital",
                                  "i was laughing so much i couldn't breathe",
                                  "the fire engine was red and shiny in the parade",
                                  # set U (seventh session)
                                  "i can't brief you on it now", "my cousin had chest pain in her second trimester",
                                  "i fainted last week but i'm fine", "my sister passed out at the pub last weekend",
                                  "the fridge makes a faint crackle", "i nearly passed out when i saw the bill haha",
                                  "i dreamt i couldn't breathe", "he said his chest was tight but he's fine now",
                                  "is swelling in the ankles bad in general", "what would i do if my calf went red",
                                  "the hot water bottle makes my calf nice and warm",
                                  "no the pain goes away once the cramp stops",
                                  # set V (seventh session)
                                  "a man on the show collapsed", "he's out of breath from carrying the shopping",
                                  "last time i was pregnant my ankles swelled",
                                  "do i need to worry about swelling later in pregnancy",
                                  "she passed out during labour with her first",
                                  "my sister asked if breathlessness is normal in pregnancy",
                                  "my husband went red when i asked him",
                                  "my feet were puffy yesterday but they're back to normal", "the baby has a red rash",
                                  "my uncle collapsed the cot for the move", "do you ever get tired of me",
                                  "is it red cause it's not", "no sah mi foot nuh swell"])
def test_a_cramp_of_ordinary_length_is_no_warning_sign(text: str) -> None:
    assert match(text).intent not in ("red_flag", "emergency")
