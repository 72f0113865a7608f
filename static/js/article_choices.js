// The passage listing's article filter suggests titles (a <datalist>) once the field is
// used: the page prints the list empty with the address to ask
// (`data-choices-url`, publishing.views.ArticleChoicesView), and the first focus, tap or
// keystroke in the field asks for the titles and fills the list. The page itself does not
// wait for them. Each title is set as an option's value (text, never parsed as HTML).
// Without JavaScript the field still takes a typed title or slug.

const list = document.querySelector("datalist[data-choices-url]");
const field = list && document.querySelector(`input[list="${list.id}"]`);
let asked = null;

function load() {
  if (asked) return asked;
  asked = fetch(list.dataset.choicesUrl, { headers: { Accept: "application/json" } })
    .then((response) => {
      if (!response.ok) throw new Error(`article choices: HTTP ${response.status}`);
      return response.json();
    })
    .then(({ choices }) => {
      list.replaceChildren(
        ...choices.map((choice) => {
          const option = document.createElement("option");
          option.value = choice.value;
          return option;
        }),
      );
    })
    .catch((error) => {
      asked = null; // asked again on the next use
      console.warn(error);
    });
  return asked;
}

if (field) {
  for (const event of ["focus", "pointerdown", "keydown"]) {
    field.addEventListener(event, load);
  }
}
