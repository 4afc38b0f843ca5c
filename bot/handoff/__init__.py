"""The case lifecycle: a person asks for a counsellor, waits, talks, ends; a counsellor takes, answers, lets go.

One explicit state machine (machine.py), its use cases (engine.py, one transaction each, outbox rows written
in the same transaction as the state change that causes them), the case store and relay ledger (cases.py),
the screens people and counsellors see (person_screens.py, desk_screens.py) and working hours (hours.py).
Handlers only decode an update, call one use case and show what it returns.

Team mode (team.py; README, "Two ways to work") keeps this table: what goes to the holder's chat goes to the
case's topic in the counsellors' forum group instead, the person's messages are copied there as they arrive,
the topic is the case for /take, /release, /close, /block, /send and /note, and forget, block and the
retention purge also delete the whole topic.

States: waiting (in the queue), active (one counsellor holds it), closed (ended; can reopen, be rated, is
purged), gone (forgotten or purged: no row). "Refused" means the actor is told why and nothing changes.
Every pair below is driven through the real use cases by tests/test_handoff_machine.py.

| state | event | afterwards | outcome |
|---|---|---|---|
| waiting | ask | waiting | no second case: told their place in the queue |
| waiting | take | active | taken: take screen (notes), held messages copied in order, person told |
| waiting | write | waiting | held for the next counsellor, up to the cap; beyond it the person is told |
| waiting | reply | waiting | refused: nobody holds it: the counsellor is told it is not theirs |
| waiting | reply by another | waiting | refused: not theirs: the counsellor is told, nothing is sent |
| waiting | edit | waiting | nothing to do: the copy made at take shows the edited text |
| waiting | note | waiting | refused: not theirs: told |
| waiting | send page | waiting | refused: not theirs: told |
| waiting | release | waiting | refused: not theirs: told |
| waiting | close | waiting | refused: not theirs: told |
| waiting | reopen | waiting | not closed: the message is held as a write |
| waiting | rate | waiting | refused: not closed: nothing rated |
| waiting | block | waiting | refused: not theirs: told |
| waiting | cancel | closed | cancelled: person told, places of the others updated |
| waiting | forget | gone | erased with its ledger and key |
| waiting | revoke | waiting | unchanged: nobody holds it |
| waiting | removed from config | waiting | unchanged: nobody holds it |
| waiting | counsellor blocked the bot | waiting | unchanged: nobody holds it |
| waiting | person blocked the bot | closed | closed: nobody can answer them |
| waiting | chat clean-up | waiting | messages not yet copied are kept until a counsellor has them |
| waiting | retention purge | closed | expired: the person is told nobody could take it |
| waiting | restart | waiting | unchanged: state and held messages are in the database |
| active | ask | active | no second case: told a counsellor is here |
| active | take | active | refused: not waiting: told |
| active | write | active | copied to the holder, marked with the case |
| active | reply | active | delivered to the person, signed; split when too long |
| active | reply by another | active | refused: not theirs: the counsellor is told, nothing is sent |
| active | edit | active | mirrored on the holder's copy, or copied anew if the holder has none |
| active | note | active | note sealed with the case key |
| active | send page | active | the page sent to the person in their language |
| active | release | waiting | back in the queue at its old place; copies not yet sent go back with it |
| active | close | closed | closed: person told (reopen, rating); copies not yet sent are dropped |
| active | reopen | active | not closed: the message is copied as a write |
| active | rate | active | refused: not closed: nothing rated |
| active | block | closed | closed and the person blocked; copies not yet sent are dropped |
| active | cancel | closed | ended by the person: the holder is told |
| active | forget | gone | erased; the holder is told it was withdrawn; copies deleted from their chat |
| active | revoke | waiting | queued again with what the holder had not received; their copies deleted |
| active | removed from config | waiting | queued again with what the holder had not received; their copies deleted |
| active | counsellor blocked the bot | waiting | back in the queue with the messages that could not reach them |
| active | person blocked the bot | closed | closed: the holder is told the person left |
| active | chat clean-up | active | messages not yet copied are kept until the holder has them |
| active | retention purge | active | unchanged: open cases are never purged |
| active | restart | active | unchanged: the holder, the focus and the outbox survive |
| closed | ask | closed | unchanged: a new case is opened |
| closed | take | closed | refused: not waiting: told |
| closed | write | closed | outside the reopen window: the message is no part of this case |
| closed | reply | closed | refused: closed: the counsellor is told, nothing is sent |
| closed | reply by another | closed | refused: closed: the counsellor is told, nothing is sent |
| closed | edit | closed | nothing to do |
| closed | note | closed | refused: closed: told |
| closed | send page | closed | refused: closed: told |
| closed | release | closed | refused: closed: told |
| closed | close | closed | refused: closed already: told |
| closed | reopen | active | to the last counsellor if on duty with room (else waiting); their focus stays |
| closed | rate | closed | rating kept |
| closed | block | closed | refused: closed: told |
| closed | cancel | closed | nothing to cancel |
| closed | forget | gone | erased; copies deleted from the last counsellor's chat |
| closed | revoke | closed | unchanged; copies deleted from the revoked counsellor's chat |
| closed | removed from config | closed | unchanged; copies deleted from the removed counsellor's chat |
| closed | counsellor blocked the bot | closed | unchanged |
| closed | person blocked the bot | closed | unchanged |
| closed | chat clean-up | closed | the person's chat is cleared of old messages |
| closed | retention purge | gone | deleted with notes, ledger and key |
| closed | restart | closed | unchanged |
| gone | ask | gone | a new case is opened |
| gone | take | gone | refused: no such case: told |
| gone | write | gone | nothing left to act on |
| gone | reply | gone | refused: no such case: told |
| gone | reply by another | gone | refused: no such case: told |
| gone | edit | gone | nothing left to act on |
| gone | note | gone | refused: no such case: told |
| gone | send page | gone | refused: no such case: told |
| gone | release | gone | refused: no such case: told |
| gone | close | gone | refused: no such case: told |
| gone | reopen | gone | refused: no such case: told |
| gone | rate | gone | refused: no such case: told |
| gone | block | gone | refused: no such case: told |
| gone | cancel | gone | nothing left to act on |
| gone | forget | gone | nothing left to act on |
| gone | revoke | gone | nothing left to act on |
| gone | removed from config | gone | nothing left to act on |
| gone | counsellor blocked the bot | gone | nothing left to act on |
| gone | person blocked the bot | gone | nothing left to act on |
| gone | chat clean-up | gone | nothing left to act on |
| gone | retention purge | gone | nothing left to act on |
| gone | restart | gone | nothing left to act on |
"""
