// The caller is done: "goodbye", "that's all, thanks", "no thank you, bye". Only when that is all
// they said — "bye the way, what time do you open" is a question.
const CLOSING = [
  /^(ok(ay)?|alright|right|great|perfect|thanks?( you)?( so much| very much)?|cheers|no)?[ ,.!]*(thanks?( you)?[ ,.!]*)?(good ?bye|bye( bye)?|bye now|see you|take care|have a (good|nice) (day|one))[ ,.!]*(thanks?( you)?)?[ .!]*$/,
  /^(no[ ,.]*)?(that'?s|that is) (all|it|everything)( for now| for today)?[ ,.!]*(thanks?( you)?( so much)?)?[ ,.!]*(good ?bye|bye)?[ .!]*$/,
  /^(no[ ,.]*)?(nothing else|i'?m (good|fine|done|all set))[ ,.!]*(thanks?( you)?)?[ ,.!]*(good ?bye|bye)?[ .!]*$/,
  /^(no[ ,.]*)?thanks?( you)?[ ,.!]*(that'?s all|good ?bye|bye)[ .!]*$/,
  /^(adi[oó]s|hasta luego|au revoir|tsch[üu]ss|auf wiedersehen|ciao|arrivederci|tchau|até logo)[ .!]*$/,
  /^(hang up|end (the )?call)[ .!]*$/,
];

export function isGoodbye(utterance: string): boolean {
  const text = utterance
    .normalize("NFKC")
    .toLowerCase()
    .replace(/[’`]/g, "'")
    .replace(/\s+/g, " ")
    .trim()
    // "okay, …", "alright then, …": fillers in front change nothing
    .replace(/^((ok(ay)?|alright|all right|right|great|perfect|cool|well|oh|then)[ ,.!]+)+/, "");
  return CLOSING.some((re) => re.test(text));
}
