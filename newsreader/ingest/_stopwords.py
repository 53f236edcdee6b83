"""The commonest function words of a few languages, for telling prose from chrome (jusText's signal).

Prose is dense in these words ("the", "of", "und", "que"); menus, headlines lists and footers are not. Each
list is the top of the language's frequency table, not a site's vocabulary.
"""

from __future__ import annotations

_LISTS = {
    "en": """a about after all also an and any are as at be been before but by can could did do does for
        from had has have he her his how i if in into is it its just like may more most my no not now
        of on one only or other our out over said she so some than that the their them then there these
        they this those to up was we were what when where which while who will with would you your""",
    "de": """aber als am an auch auf aus bei bin bis da damit dann das dass dem den denn der des die dies
        doch du durch ein eine einem einen einer es für hat hatte ich ihr im in ist ja jetzt kann kein
        man mehr mit nach nicht noch nur ob oder schon sein sich sie sind so über um und uns unter vom
        von vor war wenn werden wie wird wir zu zum zur""",
    "es": """a al algo como con cuando de del desde donde dos el ella en entre es esta este esto fue ha hay
        la las le les lo los más me mi muy no nos o para pero por porque que se ser si sin sobre son su
        sus también tiene todo un una uno y ya""",
    "fr": """à au aux avec ce ces cette comme dans de des du elle en est et il ils je la le les leur lui
        mais même ne nous on ou par pas plus pour qu que qui sa se ses son sont sur un une vous y été
        être""",
    "it": """a al alla anche che ci come con da dal del della delle di è e gli ha ho i il in la le lo ma mi
        nel nella non per più questo quella questa se si sono su sua suo tra un una uno""",
    "pt": """a ao aos as com como da das de do dos e é ela ele em entre está foi há isso já mais mas muito
        na nas não no nos o os ou para pela pelo por que se sem ser seu sua são também tem um uma você""",
    "nl": """aan al als bij dan dat de die dit door een en er het hij hoe ik in is je maar met naar niet nog
        of om onder ook op over te tot uit van voor was wat we werd wie wij worden zal ze zich zijn""",
    "sv": """att av den det där efter en ett för från har hon han i inte jag kan med men min när och om på
        sig som så till under upp ut var vi vid är också""",
    "ru": """а без более бы был была были было в вам вас весь во вот все всё вы где да для до его её если
        есть ещё же за и из или им их к как когда который ли на над не нет но о об от по под при с со
        так также там то того только том у уже что это эти этот я""",
    "id": """ada adalah akan atau bahwa bisa dalam dan dari dengan di ini itu juga ke karena kami kita lebih
        oleh pada saat sebagai sudah telah tidak untuk yang""",
}
STOPWORDS: dict[str, frozenset[str]] = {lang: frozenset(words.split()) for lang, words in _LISTS.items()}
