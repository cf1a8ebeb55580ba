// Every piece of text people read, in one place, so the pages can be translated later.
// `t(key, vars)` fills {placeholders}; plural keys hold {one, other} and go through `plural`.

const LANG = "en";

const MESSAGES = {
  "app.name": "QuizArena",
  "a11y.skip": "Skip to content",
  "title.home": "QuizArena — live quizzes",
  "title.play": "Play · QuizArena",
  "title.host": "Host a game · QuizArena",
  "title.author": "Your quizzes · QuizArena",
  "title.me": "Your progress · QuizArena",
  "title.leaderboard": "Leaderboards · QuizArena",

  "nav.label": "Main",
  "nav.play": "Play",
  "nav.host": "Host",
  "nav.author": "Create",
  "nav.leaderboard": "Leaderboards",
  "nav.me": "Me",
  "nav.signed_in_as": "Signed in as {name}",

  "home.title": "Quiz night, live.",
  "home.lede": "Join with the PIN on the big screen, or run a game of your own.",
  "home.join": "Join",
  "home.host_title": "Host a game",
  "home.host_text": "Pick a quiz, show the PIN and QR code, and run the show.",
  "home.author_title": "Write a quiz",
  "home.author_text": "Seven kinds of questions, time limits, points, import and export.",

  "common.loading": "Loading…",
  "common.back": "Back",
  "common.questions": { one: "{n} question", other: "{n} questions" },
  "common.unknown_date": "—",

  "dialog.confirm": "Yes",
  "dialog.cancel": "Cancel",

  "auth.login_title": "Sign in",
  "auth.register_title": "Create your account",
  "auth.username": "Username",
  "auth.username_hint": "3 to 32 letters, digits, dots, dashes or underscores.",
  "auth.email": "Email",
  "auth.password": "Password",
  "auth.password_hint": "At least 8 characters.",
  "auth.login": "Sign in",
  "auth.register": "Create account",
  "auth.to_register": "Create an account",
  "auth.to_login": "Sign in instead",
  "auth.no_account": "New here?",
  "auth.have_account": "Already have an account?",
  "auth.bad_login": "That username and password don't match. Try again.",
  "auth.logout": "Sign out",

  "shape.triangle": "Triangle",
  "shape.diamond": "Diamond",
  "shape.circle": "Circle",
  "shape.square": "Square",
  "shape.star": "Star",
  "shape.hexagon": "Hexagon",
  "answer.true": "True",
  "answer.false": "False",

  "kind.single": "Single choice",
  "kind.multiple": "Multiple select",
  "kind.true_false": "True or false",
  "kind.type": "Type the answer",
  "kind.slider": "Slider",
  "kind.ordering": "Put in order",
  "kind.poll": "Poll",
  "kind_hint.single": "Pick one",
  "kind_hint.multiple": "Pick all that apply",
  "kind_hint.true_false": "True or false?",
  "kind_hint.type": "Type your answer",
  "kind_hint.slider": "Slide to your answer",
  "kind_hint.ordering": "Put them in order",
  "kind_hint.poll": "Vote — no wrong answers",

  "countdown.get_ready": "Get ready",
  "countdown.times_up": "Time's up",
  "countdown.seconds_left": { one: "{n} second left", other: "{n} seconds left" },

  "play.join_title": "Join a game",
  "play.pin": "Game PIN",
  "play.pin_invalid": "The PIN has 6 digits — check the big screen.",
  "play.nickname": "Nickname",
  "play.nickname_hint": "Shown on the scoreboard. Up to 24 characters.",
  "play.nickname_missing": "Pick a nickname so others can see you on the scoreboard.",
  "play.credit_xp": "Earn XP as {name}",
  "play.join": "Join",
  "play.joining": "Joining…",
  "play.rejoining": "Getting you back in…",
  "play.rejoining_detail": "Reconnecting to your game.",
  "play.lobby_title": "You're in!",
  "play.lobby_wait": "See your nickname on the big screen? The game starts when the host is ready.",
  "play.lobby_count": { one: "{n} player here", other: "{n} players here" },
  "play.question_of": "Question {n} of {total}",
  "play.double_points": "Double points",
  "play.no_points": "No points",
  "play.look_up": "Look at the big screen",
  "play.choices": "Answers",
  "play.choices_multi": "Answers — choose all that apply",
  "play.submit": "Submit",
  "play.submit_n": { one: "Submit {n} answer", other: "Submit {n} answers" },
  "play.submit_order": "Lock in this order",
  "play.type_label": "Your answer",
  "play.slider_label": "Your number",
  "play.order_help": "Drag by the handle, use the arrow buttons, or with a keyboard: Space to pick an item up, ↑ ↓ to move it, Space to drop it.",
  "play.order_item": "{text}, position {position} of {total}",
  "play.order_roledescription": "movable item",
  "play.order_up": "Move {text} up",
  "play.order_down": "Move {text} down",
  "play.order_grabbed": "Picked up. Use the arrow keys to move, Space to drop.",
  "play.order_dropped": "Dropped at position {position}.",
  "play.order_moved": "{text} is now at position {position} of {total}.",
  "play.unknown_kind": "This kind of question can't be answered here yet.",
  "play.sending": "Sending your answer…",
  "play.locked_in": "Answer locked in! Waiting for the others…",
  "play.times_up": "Time's up!",
  "play.not_connected": "You're not connected right now. We're reconnecting — try again in a moment.",
  "play.late_joiner": "You joined during this question — you'll play from the next one.",
  "play.revealing": "Here's the answer",
  "play.wait_next": "Get ready for the next question…",
  "play.wait_final": "That was the last question. The podium is coming…",
  "play.waiting_title": "Hang tight",
  "play.score_now": "Your score: {score}",
  "play.score_aria": "Your score: {score}",
  "play.final_title": "Game over!",
  "play.final_place": "You finished {place} with {score} points.",
  "play.final_score": "You scored {score} points.",
  "play.xp_gained": "+{xp} XP",
  "play.level_now": "You're now level {level}.",
  "play.again": "Play another game",
  "play.see_progress": "See your progress",
  "play.elsewhere_title": "Playing somewhere else",
  "play.play_here": "Play here instead",

  "verdict.correct": "Correct!",
  "verdict.partial": "Partly right",
  "verdict.wrong": "Not this time",
  "verdict.none": "No answer",
  "verdict.poll": "Vote counted",
  "verdict.points": "+{points} points",
  "verdict.no_points": "No points this round",

  "stat.score": "Score",
  "stat.rank": "Rank",
  "stat.rank_of": "of {total}",
  "stat.streak": "Streak",

  "receipt.title": "Timing receipt",
  "receipt.explain": "The server timed your answer from when it sent you the question, minus half your connection's round trip.",
  "receipt.took": "Answered after",
  "receipt.rtt": "Round trip",
  "receipt.credited": "Time counted",
  "receipt.received": "Received at",
  "receipt.seconds": "{s} s",
  "receipt.ms": "{ms} ms",
  "receipt.unknown": "not measured",

  "reveal.correct_answer": "Correct answer",
  "reveal.slider_tolerance": "{value} (±{tolerance})",

  "board.title": "Scoreboard",
  "board.label": "Top players",
  "board.rank_label": "Rank {rank}",
  "board.you": "(you)",
  "board.players": { one: "{n} player in the game", other: "{n} players in the game" },
  "podium.label": "Podium",
  "podium.points": "{points} pts",

  "chart.caption": "How the room answered",
  "chart.no_answers": "No answers came in.",
  "chart.ordering.correct": "All in order",
  "chart.ordering.partial": "Partly in order",
  "chart.ordering.wrong": "Out of order",

  "conn.reconnecting": "Connection lost — reconnecting…",
  "conn.offline": "You're offline. We'll reconnect as soon as your network is back.",
  "conn.back": "You're back in the game!",
  "conn.back_score": "Your score is safe: {score}.",
  "conn.missed": "Question {n} closed while you were away.",
  "conn.still_open": "The question is still open — answer now.",
  "conn.gave_up_title": "Couldn't reconnect",
  "conn.gave_up": "We couldn't get back to the game. Check your connection and try again.",
  "conn.try_again": "Try again",

  "host.signin_intro": "Sign in to host one of your quizzes or a published one.",
  "host.pick_title": "Host a game",
  "host.which_quizzes": "Which quizzes",
  "host.mine": "My quizzes",
  "host.published": "Published",
  "host.search": "Search quizzes",
  "host.search_placeholder": "Search by title or description",
  "host.no_own_quizzes": "You haven't written a quiz yet.",
  "host.no_quizzes": "No quizzes found.",
  "host.write_one": "Write your first quiz",
  "host.by": "by {name}",
  "host.choose": "Host this",
  "host.choose_aria": "Host “{title}”",
  "host.options_title": "Game options",
  "host.opt.scoring": "Scoring",
  "host.opt.speed": "Speed — faster correct answers earn more",
  "host.opt.accuracy": "Accuracy — full points for every correct answer",
  "host.opt.scoring_hint": "In accuracy mode, speed only breaks ties.",
  "host.opt.read_time": "Reading time (seconds)",
  "host.opt.read_time_hint": "Time to read each question before answers open.",
  "host.opt.top_n": "Players on the scoreboard",
  "host.opt.max_players": "Most players",
  "host.opt.streak": "Streak bonus",
  "host.opt.streak_hint": "Extra points for correct answers in a row.",
  "host.opt.shuffle": "Shuffle answers on each device",
  "host.opt.shuffle_hint": "Makes copying from a neighbour harder.",
  "host.opt.devices": "Show questions on players' devices",
  "host.opt.devices_hint": "Off: players see only shapes and read the big screen.",
  "host.opt.late_join": "Let players join after the start",
  "host.opt.late_join_hint": "They play from the next question on.",
  "host.opt.auto_advance": "Move on automatically",
  "host.opt.auto_advance_hint": "The next question starts a few seconds after each reveal.",
  "host.create": "Create game",
  "host.connecting": "Opening your game…",
  "host.reconnected": "Reconnected.",
  "host.lobby_title": "Lobby",
  "host.join_at": "Join at",
  "host.game_pin": "Game PIN",
  "host.pin_aria": "Game PIN {pin}",
  "host.qr_alt": "QR code to join at {url}",
  "host.scan": "Scan to join",
  "host.local_only": "Phones cannot open this address: it only works on this computer.",
  "host.local_only_fix": "To let players on the same Wi-Fi join, restart the server with",
  "host.players": "Players",
  "host.player_count": { one: "{n} player", other: "{n} players" },
  "host.waiting_players": "Waiting for players…",
  "host.lock": "Lock",
  "host.unlock": "Unlock",
  "host.locked_note": "The room is locked: nobody new can join.",
  "host.start": "Start",
  "host.kick": "Remove",
  "host.kick_aria": "Remove {name}",
  "host.kick_confirm": "Remove {name} from the game?",
  "host.not_connected": "Not connected right now — reconnecting.",
  "host.answers": "answers",
  "host.answers_of": { one: "of {n} answered", other: "of {n} answered" },
  "host.players_type": "Players type their answer.",
  "host.players_slide": "Players pick a number from {min} to {max}.",
  "host.times_up": "Time's up — the answers are being counted.",
  "host.close_question": "Close question",
  "host.end": "End game",
  "host.end_confirm": "End the game now and show the podium?",
  "host.revealed": "Question {n}",
  "host.next": "Next question",
  "host.show_podium": "Show the podium",
  "host.auto_next": "The next question starts by itself in a few seconds.",
  "host.void": "Void question",
  "host.void_confirm": "Void this question? It will score nothing for anyone.",
  "host.voided": "Question voided; scores recalculated.",
  "host.accept": "Accept",
  "host.accept_aria": "Accept “{text}” as correct",
  "host.accepted": "“{text}” now counts as correct; scores recalculated.",
  "host.final_title": "The podium",
  "host.download": "Download results (CSV)",
  "host.downloaded": "Results downloaded.",
  "host.export_unavailable": "Results export isn't available on this server yet.",
  "host.export_signin": "Sign in again to download the results.",
  "host.again": "Host another game",
  "host.superseded_title": "Open in another window",
  "host.superseded": "This game is now being run from another window or device.",
  "host.run_here": "Run it here",

  "author.title": "Your quizzes",
  "author.signin_intro": "Sign in to write and edit your quizzes.",
  "author.new": "New quiz",
  "author.import": "Import JSON or CSV",
  "author.imported": "Quiz imported.",
  "author.import_failed": "The file couldn't be imported:",
  "author.import_line": "Line {line}: {message}",
  "author.none": "No quizzes yet. Create one or import a file.",
  "author.draft": "Draft",
  "author.published_tag": "Published",
  "author.editor_new": "New quiz",
  "author.editor_edit": "Edit quiz",
  "author.quiz_title": "Title",
  "author.description": "Description",
  "author.tags": "Tags",
  "author.tags_hint": "Separate tags with commas.",
  "author.publish": "Published — anyone can find and host it",
  "author.questions": "Questions",
  "author.question_n": "Question {n}",
  "author.kind": "Kind",
  "author.text": "Question",
  "author.time_limit": "Time limit (seconds)",
  "author.points": "Points",
  "author.points_0": "No points",
  "author.points_1000": "Standard (1000)",
  "author.points_2000": "Double (2000)",
  "author.options": "Answers",
  "author.option_n": "Answer {n}",
  "author.correct": "Correct",
  "author.add_option": "Add answer",
  "author.remove_option": "Remove answer {n}",
  "author.ordering_hint": "Write the items in the correct order; players get them shuffled.",
  "author.poll_hint": "Polls have no correct answer and score nothing.",
  "author.tf_correct": "The statement is",
  "author.accepted": "Accepted answers",
  "author.accepted_hint": "Case, spacing and surrounding punctuation don't matter.",
  "author.accepted_n": "Accepted answer {n}",
  "author.add_accepted": "Add another spelling",
  "author.remove_accepted": "Remove accepted answer {n}",
  "author.min": "Minimum",
  "author.max": "Maximum",
  "author.step": "Step",
  "author.slider_correct": "Correct value",
  "author.tolerance": "Tolerance (±)",
  "author.tolerance_hint": "Full points within the tolerance, falling to zero at twice it.",
  "author.move_up": "Move question {n} up",
  "author.move_down": "Move question {n} down",
  "author.option_up": "Move answer {n} up",
  "author.option_down": "Move answer {n} down",
  "author.delete_question": "Delete question {n}",
  "author.add_question": "Add a question",
  "author.save": "Save quiz",
  "author.saving": "Saving…",
  "author.saved": "Saved.",
  "author.delete": "Delete quiz",
  "author.delete_confirm": "Delete “{title}”? Games already played keep their results.",
  "author.deleted": "Quiz deleted.",
  "author.export_json": "Export JSON",
  "author.export_csv": "Export CSV",
  "author.host": "Host this quiz",
  "author.errors": { one: "{n} problem needs fixing before this quiz can be saved:", other: "{n} problems need fixing before this quiz can be saved:" },
  "author.unsaved": "You have unsaved changes. Leave them?",
  "author.leave": "Leave",
  "author.path.question": "Question {n}",
  "author.path.option": "answer {n}",
  "author.path.accepted": "accepted answer {n}",

  "me.signin_intro": "Sign in to see your XP, level, badges and games.",
  "me.level": "Level",
  "me.xp": "{xp} XP",
  "me.to_next": "{left} XP to level {next}",
  "me.games_played": "Games played",
  "me.games_won": "Games won",
  "me.streak": "Day streak",
  "me.duels": "Duel rating",
  "me.badges": "Badges",
  "me.earned": "Earned {date}",
  "me.to_earn": "To earn",
  "me.no_badges": "No badges yet — play a game to start collecting.",
  "me.history": "Your games",
  "me.no_history": "No games yet. Join one with a PIN or host your own.",
  "me.col.game": "Game",
  "me.col.date": "Date",
  "me.col.role": "Role",
  "me.col.score": "Score",
  "me.col.rank": "Place",
  "me.role.host": "Host",
  "me.role.player": "Player",
  "me.unavailable": "This part isn't available on this server yet.",

  "lb.title": "Leaderboards",
  "lb.global": "Everyone",
  "lb.quiz": "By quiz",
  "lb.scope": "Leaderboard",
  "lb.period": "Period",
  "lb.period.all": "All time",
  "lb.period.month": "This month",
  "lb.period.week": "This week",
  "lb.period.day": "Today",
  "lb.pick_quiz": "Quiz",
  "lb.col.rank": "Rank",
  "lb.col.player": "Player",
  "lb.col.xp": "XP",
  "lb.col.level": "Level",
  "lb.col.score": "Score",
  "lb.empty": "Nobody on this leaderboard yet.",
  "lb.no_quizzes": "No published quizzes yet.",

  // WebSocket `error` codes (PROTOCOL.md), with context-specific wording where it helps.
  "error.bad_request": "The server didn't understand that request.",
  "error.unknown_type": "The server didn't recognise that action.",
  "error.too_large": "That was too much data to send at once.",
  "error.rate_limited": "Too many tries in a short time — wait a moment and try again.",
  "error.not_found": "That wasn't found.",
  "error.room_locked": "The host has locked this game — no new players.",
  "error.room_full": "This game is full.",
  "error.kicked": "The host removed you from this game.",
  "error.nickname_taken": "Someone in this game already has that nickname — pick another.",
  "error.unauthorized": "You need to sign in again.",
  "error.forbidden": "You're not allowed to do that.",
  "error.wrong_state": "That can't be done at this point of the game.",
  "error.conflict": "That clashes with something that already exists.",
  "error.validation_error": "Some fields need fixing.",
  "error.unavailable": "The server is busy or down. Try again shortly.",
  "error.internal_error": "Something went wrong on the server. Try again.",
  "error.method_not_allowed": "That action isn't available.",
  "error.network": "Can't reach the server. Check your connection.",
  "error.unknown": "Something went wrong. Try again.",
  "error.join.not_found": "No game with that PIN is running. Check the big screen.",
  "error.join.wrong_state": "This game has already started and isn't taking late players.",
  "error.join.bad_request": "That nickname can't be used — use 1 to 24 visible characters.",
  "error.join.unauthorized": "Your sign-in has expired. Untick “Earn XP” or sign in again.",
  "error.join.rate_limited": "Too many joins from your network — wait a minute and try again.",
  "error.resume.unauthorized": "We couldn't get you back into that game — it may have ended. Join again with the PIN.",
  "error.resume.not_found": "That game has ended.",
  "error.resume.kicked": "The host removed you from this game.",
  "error.host.unauthorized": "This game can't be run from here any more. Create a new one.",
  "error.host.not_found": "That game has ended. Create a new one.",
  "error.host.wrong_state": "That can't be done at this point of the game.",

  // `answer_ack` refusals.
  "ack.too_early": "Not yet — answers open when the countdown starts.",
  "ack.too_late": "Too late — time was up before your answer arrived.",
  "ack.duplicate": "You already answered this one.",
  "ack.closed": "This question is closed.",
  "ack.invalid": "That answer doesn't fit this question — try again.",

  // Field errors from the server's validation, in plain words (see `fieldMessage`).
  "field.required": "Please fill this in.",
  "field.empty": "This can't be empty.",
  "field.min_chars": { one: "Use at least {n} character.", other: "Use at least {n} characters." },
  "field.max_chars": { one: "Use at most {n} character.", other: "Use at most {n} characters." },
  "field.at_least": "Use {n} or more.",
  "field.at_most": "Use {n} or less.",
  "field.more_than": "Use a number above {n}.",
  "field.less_than": "Use a number below {n}.",
  "field.whole_number": "Enter a whole number.",
  "field.number": "Enter a number.",
  "field.yes_no": "Choose yes or no.",
  "field.text": "Enter some text.",
  "field.one_of": "Choose {choices}.",
  "field.min_items": { one: "Add at least one.", other: "Add at least {n}." },
  "field.max_items": { one: "Keep at most one.", other: "Keep at most {n}." },
  "field.not_allowed": "This doesn't belong here.",
  "field.email": "Enter an email address like name@example.com.",
  "field.pattern": "This isn't in the expected form.",

  // Close codes.
  "close.4001": "The host removed you from this game.",
  "close.4002": "You opened this game somewhere else, so this window stopped.",
  "close.4004": "The game has ended.",
  "close.1008": "The server refused the connection.",
  "close.other": "The connection closed.",
};

/** `t("key", {name: "x"})`: the message with its {placeholders} filled in. */
export function t(key, vars = {}) {
  let message = MESSAGES[key];
  if (message === undefined) {
    console.warn(`missing text: ${key}`);
    return key;
  }
  if (typeof message === "object") message = message.other;
  return message.replace(/\{(\w+)\}/g, (whole, name) => (name in vars ? String(vars[name]) : whole));
}

const pluralRules = new Intl.PluralRules(LANG);
const ordinalRules = new Intl.PluralRules(LANG, { type: "ordinal" });
const ORDINAL_SUFFIX = { one: "st", two: "nd", few: "rd", other: "th" };

export function plural(key, n, vars = {}) {
  const message = MESSAGES[key];
  const form = message && typeof message === "object" ? message[pluralRules.select(n)] ?? message.other : message;
  const count = new Intl.NumberFormat(LANG).format(n);
  return String(form ?? key).replace(/\{(\w+)\}/g, (whole, name) => (name === "n" ? count : name in vars ? String(vars[name]) : whole));
}

export function ordinal(n) {
  return `${n}${ORDINAL_SUFFIX[ordinalRules.select(n)]}`;
}

/** A person-readable message for an error code (REST ApiError or WebSocket `error` frame). */
export function errorMessage(codeOrError, context = "") {
  const code = typeof codeOrError === "string" ? codeOrError : (codeOrError && codeOrError.code) || "unknown";
  if (context && MESSAGES[`error.${context}.${code}`]) return t(`error.${context}.${code}`);
  if (MESSAGES[`error.${code}`]) return t(`error.${code}`);
  return t("error.unknown");
}

// Messages the server's validation library writes, and what each means in plain words. Our own
// rules already speak plainly ("max must be greater than min") and only get a capital and a stop.
const FIELD_PATTERNS = [
  [/^Field required$/, () => t("field.required")],
  [/^String should have at least 1 character$/, () => t("field.empty")],
  [/^String should have at least (\d+) characters?$/, (n) => plural("field.min_chars", Number(n))],
  [/^String should have at most (\d+) characters?$/, (n) => plural("field.max_chars", Number(n))],
  [/^(?:Input|Value) should be greater than or equal to (\S+)$/, (n) => t("field.at_least", { n })],
  [/^(?:Input|Value) should be less than or equal to (\S+)$/, (n) => t("field.at_most", { n })],
  [/^(?:Input|Value) should be greater than (\S+)$/, (n) => t("field.more_than", { n })],
  [/^(?:Input|Value) should be less than (\S+)$/, (n) => t("field.less_than", { n })],
  [/^Input should be a valid integer/, () => t("field.whole_number")],
  [/^Input should be a (?:valid|finite) number/, () => t("field.number")],
  [/^Input should be a valid boolean/, () => t("field.yes_no")],
  [/^Input should be a valid string/, () => t("field.text")],
  [/^Input should be (.+)$/, (choices) => t("field.one_of", { choices: choices.replace(/'/g, "") })],
  [/^List should have at least (\d+) items?/, (n) => plural("field.min_items", Number(n))],
  [/^List should have at most (\d+) items?/, (n) => plural("field.max_items", Number(n))],
  [/^Extra inputs are not permitted$/, () => t("field.not_allowed")],
  [/^String should match pattern/, () => t("field.pattern")],
  [/is not a valid email address|^value is not a valid email/i, () => t("field.email")],
];

/** A field error from the server as a person reads it: the validation library's phrasing and its
 * "Value error, " prefixes replaced by plain words, ending with a full stop. */
export function fieldMessage(message) {
  const text = String(message || "").replace(/^(?:Value error|Assertion failed), /, "").trim();
  for (const [pattern, say] of FIELD_PATTERNS) {
    const match = pattern.exec(text);
    if (match) return say(...match.slice(1));
  }
  if (!text) return t("error.unknown");
  const sentence = text.charAt(0).toUpperCase() + text.slice(1);
  return /[.!?]$/.test(sentence) ? sentence : `${sentence}.`;
}

export function ackMessage(reason) {
  return MESSAGES[`ack.${reason}`] ? t(`ack.${reason}`) : t("ack.invalid");
}

export function closeMessage(code) {
  return MESSAGES[`close.${code}`] ? t(`close.${code}`) : t("close.other");
}

/** Fills `data-i18n` (text) and `data-i18n-<attribute>` (attributes) in a static page. */
export function apply(root) {
  document.documentElement.lang = LANG;
  for (const node of root.querySelectorAll("[data-i18n]")) node.textContent = t(node.dataset.i18n);
  for (const node of root.querySelectorAll("*")) {
    for (const attr of [...node.attributes]) {
      if (attr.name.startsWith("data-i18n-")) node.setAttribute(attr.name.slice("data-i18n-".length), t(attr.value));
    }
  }
}
