// The address book page: plain DOM and fetch against the API of the same origin.

const keyStorage = "addressbook.apiKey";
const pageSize = 30;
const searchDelayMs = 250;

const $ = (id) => document.getElementById(id);
const ui = {
  greeting: $("greeting"),
  changeKey: $("change-key"),
  status: $("status"),
  statusText: $("status-text"),
  retry: $("retry"),
  keyPanel: $("key-panel"),
  keyReason: $("key-reason"),
  keyForm: $("key-form"),
  keyInput: $("api-key"),
  editor: $("editor"),
  editorTitle: $("editor-title"),
  editorError: $("editor-error"),
  firstName: $("first-name"),
  lastName: $("last-name"),
  company: $("company"),
  jobTitle: $("job-title"),
  birthday: $("birthday"),
  tags: $("tags"),
  favorite: $("favorite"),
  notes: $("notes"),
  save: $("save"),
  cancelEdit: $("cancel-edit"),
  search: $("search"),
  sort: $("sort"),
  onlyFavorites: $("only-favorites"),
  tagFilter: $("tag-filter"),
  tagFilterName: $("tag-filter-name"),
  clearTag: $("clear-tag"),
  listStatus: $("list-status"),
  contacts: $("contacts"),
  empty: $("empty"),
  more: $("more"),
  sentinel: $("sentinel"),
  importForm: $("import-form"),
  importFile: $("import-file"),
  importButton: $("import"),
  importStatus: $("import-status"),
  importProblems: $("import-problems"),
  exportVcf: $("export-vcf"),
  exportCsv: $("export-csv"),
  exportStatus: $("export-status"),
};

// `shown` holds the contact each row was drawn from, so that its buttons need no request of their own.
const list = { cursor: null, loading: false, generation: 0, count: 0, tag: null, shown: new Map() };
let editing = null; // { id, etag, name } while the editor changes an existing contact
let retryAction = null;
let viewCounted = false;

// --- Talking to the API -------------------------------------------------------------------------

/** The API answered with an error; `problem` is its RFC 9457 problem details, when it sent them. */
class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.detail || problem?.title || `The service answered ${status}.`);
    this.status = status;
    this.problem = problem ?? {};
  }
}

/** The API could not be reached at all. */
class UnreachableError extends Error {
  constructor() {
    super("The address book service cannot be reached. Check that it is running, then try again.");
  }
}

/**
 * A `body` that is a file goes as it is, with the Content-Type the caller gives; any other as JSON. With `download`,
 * a successful answer is read as a Blob.
 */
async function api(path, { method = "GET", body, headers = {}, download = false } = {}) {
  const key = sessionStorage.getItem(keyStorage);
  const requestHeaders = { Accept: "application/json", ...headers };
  if (key) requestHeaders["X-Api-Key"] = key;
  const file = body instanceof Blob;
  if (body !== undefined && !file) requestHeaders["Content-Type"] = "application/json";

  let response;
  try {
    response = await fetch(path, { method, headers: requestHeaders, body: body === undefined || file ? body : JSON.stringify(body) });
    if (download && response.ok) return { body: await response.blob() };
  } catch {
    throw new UnreachableError();
  }

  const type = response.headers.get("Content-Type") ?? "";
  const payload = type.includes("json") && response.status !== 204 ? await response.json().catch(() => null) : null;
  if (!response.ok) {
    const error = new ApiError(response.status, payload);
    if (response.status === 401) askForKey(key ? "That key was not accepted. Enter another one." : "This address book needs a key.");
    throw error;
  }

  return { body: payload, etag: response.headers.get("ETag") };
}

// --- Status and key prompt ----------------------------------------------------------------------

function showStatus(message, retry) {
  ui.statusText.textContent = message;
  ui.status.hidden = false;
  retryAction = retry ?? null;
  ui.retry.hidden = !retry;
}

function clearStatus() {
  ui.status.hidden = true;
  ui.statusText.textContent = "";
  retryAction = null;
}

/** Reports a failure the user did not cause; 401s have already brought up the key prompt. */
function report(error, retry) {
  if (error instanceof ApiError && error.status === 401) return;
  if (error instanceof ApiError && error.status === 429) {
    showStatus(`${error.message} Slow down a little, then try again.`, retry);
  } else if (error instanceof ApiError && error.status >= 500) {
    showStatus(`The address book service has a problem (${error.status}): ${error.message}`, retry);
  } else {
    showStatus(error.message, retry);
  }
}

function askForKey(reason) {
  ui.keyReason.textContent = reason;
  ui.keyPanel.hidden = false;
  ui.keyInput.value = "";
  ui.keyInput.focus();
}

ui.keyForm.addEventListener("submit", (event) => {
  event.preventDefault();
  const key = ui.keyInput.value.trim();
  if (!key) {
    ui.keyReason.textContent = "Enter a key first.";
    ui.keyInput.focus();
    return;
  }
  sessionStorage.setItem(keyStorage, key);
  ui.keyPanel.hidden = true;
  ui.changeKey.hidden = false;
  start();
});

ui.changeKey.addEventListener("click", () => askForKey("Enter the key to use from now on."));
ui.retry.addEventListener("click", () => {
  const action = retryAction;
  clearStatus();
  action?.();
});

// --- Greeting and view counter ------------------------------------------------------------------

async function countView() {
  try {
    const { body } = await api("/api/views", { method: "POST" });
    viewCounted = true;
    const times = body.views === 1 ? "once" : `${body.views.toLocaleString()} times`;
    ui.greeting.textContent = `Hello! This page has been viewed ${times}.`;
  } catch (error) {
    ui.greeting.textContent = "Hello!";
    throw error;
  }
}

// --- The list ------------------------------------------------------------------------------------

function listUrl() {
  const query = new URLSearchParams({ limit: String(pageSize) });
  const search = ui.search.value.trim();
  if (search) query.set("q", search);
  // Best match ranks a search; with nothing searched the list keeps its default order, oldest first.
  if (search || ui.sort.value !== "relevance") query.set("sort", ui.sort.value);
  if (ui.onlyFavorites.checked) query.set("favorite", "true");
  if (list.tag) query.set("tag", list.tag);
  if (list.cursor) query.set("cursor", list.cursor);
  return `/api/contacts?${query}`;
}

async function reloadList() {
  list.generation++;
  list.cursor = null;
  list.count = 0;
  list.loading = false;
  list.shown.clear();
  ui.contacts.replaceChildren();
  ui.empty.hidden = true;
  ui.more.hidden = true;
  await loadMore();
}

async function loadMore() {
  if (list.loading) return;
  const generation = list.generation;
  list.loading = true;
  ui.listStatus.textContent = "Loading…";
  try {
    const { body } = await api(listUrl());
    // A newer search or sort replaced this list while the page was on its way.
    if (generation !== list.generation) return;
    // One insertion per page: the browser lays the list out once, not once a row.
    const rows = document.createDocumentFragment();
    for (const contact of body.items) rows.append(renderContact(contact));
    ui.contacts.append(rows);
    list.count += body.items.length;
    list.cursor = body.nextCursor;
    ui.more.hidden = !list.cursor;
    showEmptyState();
    ui.listStatus.textContent = list.count === 0 ? "" : `${list.count} contact${list.count === 1 ? "" : "s"} shown${list.cursor ? ", more below" : ""}.`;
  } catch (error) {
    if (generation !== list.generation) return;
    ui.listStatus.textContent = "The contacts could not be loaded.";
    report(error, () => (list.count === 0 ? reloadList() : loadMore()));
  } finally {
    if (generation === list.generation) {
      list.loading = false;
      // The observer speaks only when the sentinel crosses the margin: on a screen taller than the page it
      // stayed in view while loading, so it is asked afresh.
      if (list.cursor) {
        sentinelObserver.unobserve(ui.sentinel);
        sentinelObserver.observe(ui.sentinel);
      }
    }
  }
}

function showEmptyState() {
  const search = ui.search.value.trim();
  ui.empty.hidden = list.count > 0;
  if (!search && !list.tag && !ui.onlyFavorites.checked) {
    ui.empty.textContent = "No contacts yet. Add the first one with the form above.";
    return;
  }
  let text = ui.onlyFavorites.checked ? "No favourite contacts" : "No contacts";
  if (list.tag) text += ` tagged “${list.tag}”`;
  if (search) text += `${list.tag ? " that" : ""} match “${search}”`;
  ui.empty.textContent = `${text}.`;
}

function displayName(contact) {
  return [contact.firstName, contact.lastName].filter(Boolean).join(" ");
}

function element(tag, className, text) {
  const created = document.createElement(tag);
  if (className) created.className = className;
  if (text !== undefined) created.textContent = text;
  return created;
}

/** A row: the name and, compactly, what is most often looked for; the rest waits for "Details". */
function renderContact(contact) {
  list.shown.set(contact.id, contact);
  const name = displayName(contact);
  const item = element("li", "contact");
  item.dataset.id = String(contact.id);

  const text = element("div", "contact-text");
  const heading = element("span", "contact-name", name);
  if (contact.favorite) heading.append(" ", favoriteStar());
  text.append(heading);
  const work = [contact.title, contact.company].filter(Boolean).join(", ");
  if (work) text.append(element("span", "contact-meta", work));
  const reach = [contact.emails[0]?.value, contact.phones[0]?.value].filter(Boolean).join(" · ");
  if (reach) text.append(element("span", "contact-meta contact-reach", reach));
  if (contact.tags.length > 0) text.append(tagChips(contact.tags));

  const actions = element("div", "contact-actions");
  const details = control("Details", `Details of ${name}`, "secondary", "details");
  details.setAttribute("aria-expanded", "false");
  actions.append(details, control("Edit", `Edit ${name}`, "secondary", "edit"), control("Delete", `Delete ${name}`, "danger", "delete"));

  item.append(text, actions);
  return item;
}

function favoriteStar() {
  const star = element("span", "star", "★");
  star.setAttribute("role", "img");
  star.setAttribute("aria-label", "Favourite");
  star.title = "Favourite";
  return star;
}

function tagChips(tags) {
  const chips = element("ul", "chips");
  chips.setAttribute("aria-label", "Tags");
  for (const tag of tags) {
    const chip = control(tag, `Show contacts tagged ${tag}`, "chip", "tag");
    chip.dataset.tag = tag;
    chip.setAttribute("aria-pressed", String(tag === list.tag));
    const entry = element("li");
    entry.append(chip);
    chips.append(entry);
  }
  return chips;
}

/** Everything about the contact, built only when first asked for, so that long lists stay quick to draw. */
function renderDetails(contact) {
  const details = element("dl", "contact-details");
  details.id = `contact-${contact.id}-details`;
  const add = (term, values) => {
    if (values.length === 0) return;
    details.append(element("dt", null, term));
    for (const value of values) {
      const description = element("dd");
      description.append(value);
      details.append(description);
    }
  };
  const present = (...values) => values.filter(Boolean);
  add("Title", present(contact.title));
  add("Company", present(contact.company));
  add("Birthday", present(contact.birthday && formatBirthday(contact.birthday)));
  add(contact.emails.length === 1 ? "Email" : "Emails", contact.emails.map((email) =>
    labelled(email.label, link(`mailto:${email.value}`, email.value))));
  add(contact.phones.length === 1 ? "Phone" : "Phones", contact.phones.map((phone) =>
    labelled(phone.label, link(telUri(phone.value), phone.value))));
  add(contact.addresses.length === 1 ? "Address" : "Addresses", contact.addresses.map((address) =>
    labelled(address.label, element("span", "lines", addressLines(address)))));
  add("Tags", contact.tags.length > 0 ? [tagChips(contact.tags)] : []);
  add("Notes", present(contact.notes).map((notes) => element("span", "lines", notes)));
  add("Added", [new Date(contact.createdAt).toLocaleString()]);
  if (contact.updatedAt !== contact.createdAt) add("Changed", [new Date(contact.updatedAt).toLocaleString()]);
  return details;
}

// A birthday is a day, not an instant: read and written in UTC it is the same day in every time zone.
function formatBirthday(birthday) {
  return new Date(`${birthday}T00:00:00Z`).toLocaleDateString(undefined, { timeZone: "UTC", dateStyle: "long" });
}

function addressLines(address) {
  return [address.street, [address.locality, address.region, address.postalCode].filter(Boolean).join(", "), address.country]
    .filter(Boolean).join("\n");
}

function labelled(label, value) {
  const line = element("span", "labelled");
  if (label) line.append(element("span", "entry-label", `${label}:`), " ");
  line.append(value);
  return line;
}

function link(href, text) {
  const anchor = element("a", null, text);
  anchor.href = href;
  return anchor;
}

// RFC 3966: the number's digits, then its extension apart (;ext=), so that the phone dials the number, not the two run together.
function telUri(phone) {
  const [, number, extension] = /^(.*?)(?:\s*(?:;ext=|ext\.?|x)\s*(\d+))?$/i.exec(phone);
  return `tel:${number.replace(/[^\d+]/g, "")}${extension ? `;ext=${extension}` : ""}`;
}

function toggleDetails(item, contact, toggle) {
  let details = item.querySelector(".contact-details");
  if (!details) {
    details = renderDetails(contact);
    details.hidden = true;
    item.append(details);
    toggle.setAttribute("aria-controls", details.id);
  }
  details.hidden = !details.hidden;
  toggle.setAttribute("aria-expanded", String(!details.hidden));
}

/** A button the list's one click handler acts on, by its `data-action`, for the row it is in. */
function control(label, accessibleName, className, action) {
  const created = element("button", className, label);
  created.type = "button";
  created.setAttribute("aria-label", accessibleName);
  if (action) created.dataset.action = action;
  return created;
}

function button(label, accessibleName, className, onClick) {
  const created = control(label, accessibleName, className);
  created.addEventListener("click", onClick);
  return created;
}

ui.contacts.addEventListener("click", (event) => {
  const pressed = event.target.closest("button[data-action]");
  const item = pressed?.closest(".contact");
  const contact = item && list.shown.get(Number(item.dataset.id));
  if (!contact) return;
  switch (pressed.dataset.action) {
    case "details": toggleDetails(item, contact, pressed); break;
    case "edit": startEditing(contact.id); break;
    case "delete": confirmDelete(item, contact); break;
    case "tag": filterByTag(pressed.dataset.tag === list.tag ? null : pressed.dataset.tag); break;
  }
});

// Deleting asks once more, in place, rather than in a dialog the keyboard has to leave. The question names the
// version read just now, and only that version is deleted: a change someone made meanwhile is not deleted unseen.
async function confirmDelete(item, contact) {
  const current = await showCurrentVersion(item, contact, () => confirmDelete(item, contact));
  if (!current) return;
  const actions = current.item.querySelector(".contact-actions");
  const previous = [...actions.childNodes];
  const name = displayName(current.contact);
  const question = document.createElement("span");
  question.className = "confirm-text";
  question.textContent = `Delete ${name}?`;
  const keep = button("Keep", `Keep ${name}`, "secondary", () => {
    actions.replaceChildren(...previous);
    actions.querySelector("[data-action='delete']").focus();
  });
  const remove = button("Delete", `Yes, delete ${name}`, "danger", () => deleteContact(current.item, current.contact, current.etag));
  actions.replaceChildren(question, remove, keep);
  keep.focus();
}

/**
 * Reads the contact again and redraws its row with what was read; resolves to the new row, the contact and its ETag,
 * or to null when there is nothing to go on with: the contact is gone (its row goes too) or the read failed.
 */
async function showCurrentVersion(item, contact, retry) {
  let read;
  try {
    read = await api(`/api/contacts/${contact.id}`);
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) {
      removeRow(item, contact, `${displayName(contact)} has been deleted meanwhile.`);
    } else {
      report(error, retry);
    }
    return null;
  }
  const shown = currentRow(item, contact);
  if (!shown) return null;
  const row = renderContact(read.body);
  shown.replaceWith(row);
  return { item: row, contact: read.body, etag: read.etag };
}

// A search or sort may have redrawn the list while the API was asked: the contact's row is then the new one, if any.
function currentRow(item, contact) {
  return item.isConnected ? item : ui.contacts.querySelector(`li[data-id="${contact.id}"]`);
}

function removeRow(item, contact, status) {
  const shown = currentRow(item, contact);
  if (shown) {
    shown.remove();
    list.shown.delete(contact.id);
    list.count--;
  }
  if (editing?.id === contact.id) stopEditing();
  showEmptyState();
  ui.listStatus.textContent = status;
}

async function deleteContact(item, contact, etag) {
  try {
    await api(`/api/contacts/${contact.id}`, { method: "DELETE", headers: { "If-Match": etag } });
  } catch (error) {
    if (error instanceof ApiError && error.status === 412) {
      const current = await showCurrentVersion(item, contact, () => confirmDelete(item, contact));
      if (!current) return;
      ui.listStatus.textContent = `Someone else changed ${displayName(contact)} before it was deleted, so it was kept. `
        + "The list now shows their version: delete it again if you still want to.";
      current.item.querySelector(".danger").focus();
      return;
    }
    if (!(error instanceof ApiError && error.status === 404)) {
      reportWrite(error);
      return;
    }
  }
  removeRow(item, contact, `Deleted ${displayName(contact)}.`);
}

// --- Adding and editing ---------------------------------------------------------------------------

// The repeatable details: each row's parts in the order shown, named as the API names them.
const labelPart = { key: "label", label: "Label", placeholder: "work, home…", maxLength: 50 };
const entryKinds = {
  emails: { noun: "Email", legend: "Emails", parts: [
    { key: "value", label: "Email", type: "email", maxLength: 254 }, labelPart] },
  phones: { noun: "Phone", legend: "Phones", parts: [
    { key: "value", label: "Phone", type: "tel", maxLength: 40 }, labelPart] },
  addresses: { noun: "Address", legend: "Addresses", parts: [
    { key: "street", label: "Street" },
    { key: "locality", label: "City" },
    { key: "region", label: "Region" },
    { key: "postalCode", label: "Postal code" },
    { key: "country", label: "Country" },
    labelPart] },
};

/**
 * One row of a repeatable detail. Each input is named as the API names it in its errors ("emails[1].value"), so an
 * error finds its input; the accessible names say which row, since every row's visible labels are the same.
 */
function entryRow(kind, index, values) {
  const { noun, parts } = entryKinds[kind];
  const row = element("li", "entry");
  const fields = element("div", "entry-fields");
  const rowErrorId = `${kind}-${index}-error`;
  for (const part of parts) {
    const id = `${kind}-${index}-${part.key}`;
    const label = element("label", null, part.label);
    label.htmlFor = id;
    const input = element("input");
    input.id = id;
    input.name = `${kind}[${index}].${part.key}`;
    input.dataset.part = part.key;
    input.type = part.type ?? "text";
    input.maxLength = part.maxLength ?? 255;
    // The form holds someone else's details: the browser's memory of the user's own would be wrong here.
    input.autocomplete = "off";
    if (part.placeholder) input.placeholder = part.placeholder;
    input.value = values[part.key] ?? "";
    input.setAttribute("aria-label", part.key === "value" ? `${noun} ${index + 1}` : `${noun} ${index + 1} ${part.label.toLowerCase()}`);
    input.setAttribute("aria-describedby", `${id}-error ${rowErrorId}`);
    const error = element("p", "field-error");
    error.id = `${id}-error`;
    error.dataset.errorFor = input.name;
    const field = element("div", "field");
    field.append(label, input, error);
    fields.append(field);
  }
  const rowError = element("p", "field-error");
  rowError.id = rowErrorId;
  rowError.dataset.errorFor = `${kind}[${index}]`;
  const remove = control("Remove", `Remove ${noun.toLowerCase()} ${index + 1}`, "secondary remove");
  row.append(fields, rowError, remove);
  return row;
}

function entryValues(kind) {
  return [...entryKinds[kind].list.children].map((row) =>
    Object.fromEntries([...row.querySelectorAll("input")].map((input) => [input.dataset.part, input.value])));
}

function showEntries(kind, entries) {
  entryKinds[kind].list.replaceChildren(...entries.map((values, index) => entryRow(kind, index, values)));
}

/** The rows worth sending. Blank ones are dropped from the form too, so that an error's index names the row it is shown on. */
function entriesToSend(kind) {
  const entries = entryValues(kind).filter((values) => Object.values(values).some((value) => value.trim() !== ""));
  if (entries.length !== entryKinds[kind].list.children.length) showEntries(kind, entries);
  return entries;
}

// Each kind's fieldset: its rows, the place for an error about the list as a whole ("At most 20."), and its add button.
for (const [kind, entryKind] of Object.entries(entryKinds)) {
  const fieldset = element("fieldset", "entries");
  fieldset.setAttribute("aria-describedby", `${kind}-error`);
  const rows = element("ol", "entry-list");
  const error = element("p", "field-error");
  error.id = `${kind}-error`;
  error.dataset.errorFor = kind;
  const add = element("button", "secondary", `Add ${entryKind.noun.toLowerCase()}`);
  add.type = "button";
  fieldset.append(element("legend", null, entryKind.legend), rows, error, add);
  $("entry-lists").append(fieldset);
  entryKind.list = rows;

  add.addEventListener("click", () => {
    const row = entryRow(kind, rows.children.length, {});
    rows.append(row);
    row.querySelector("input").focus();
  });
  // Rows are drawn afresh after a removal, so that every later row's number, name and label move up by one.
  rows.addEventListener("click", (event) => {
    const row = event.target.closest("button.remove")?.closest(".entry");
    if (!row) return;
    const index = [...rows.children].indexOf(row);
    const entries = entryValues(kind);
    entries.splice(index, 1);
    showEntries(kind, entries);
    (rows.children[index]?.querySelector("input") ?? add).focus();
  });
}

function clearFieldErrors() {
  ui.editorError.textContent = "";
  for (const error of ui.editor.querySelectorAll("[data-error-for]")) error.textContent = "";
  for (const input of ui.editor.querySelectorAll("[aria-invalid]")) input.removeAttribute("aria-invalid");
}

/** Puts each of the problem's per-field errors next to its field or row; returns whether any had a place. */
function showFieldErrors(problem) {
  let shown = false;
  for (const [field, messages] of Object.entries(problem.errors ?? {})) {
    const { target, prefix } = errorPlace(field);
    if (!target) continue;
    target.textContent = [target.textContent, prefix + messages.join(" ")].filter(Boolean).join(" ");
    for (const input of ui.editor.querySelectorAll(`[aria-describedby~="${CSS.escape(target.id)}"]`)) {
      if (input.matches("input, textarea")) input.setAttribute("aria-invalid", "true");
    }
    shown = true;
  }
  // The first in the form's order, not the problem's: where someone reading from the top would start.
  ui.editor.querySelector("[aria-invalid='true']")?.focus();
  return shown;
}

// An item with no place of its own, such as one of the comma-separated tags ("tags[1]"), is reported beside its
// list, saying which item it is.
function errorPlace(field) {
  const own = ui.editor.querySelector(`[data-error-for="${CSS.escape(field)}" i]`);
  if (own) return { target: own, prefix: "" };
  const item = /^(\w+)\[(\d+)\]$/.exec(field);
  const whole = item && ui.editor.querySelector(`[data-error-for="${CSS.escape(item[1])}" i]`);
  return whole ? { target: whole, prefix: `${whole.dataset.itemNoun ?? "Item"} ${Number(item[2]) + 1}: ` } : { target: null };
}

function fillEditor(contact) {
  ui.firstName.value = contact.firstName;
  ui.lastName.value = contact.lastName ?? "";
  ui.company.value = contact.company ?? "";
  ui.jobTitle.value = contact.title ?? "";
  ui.birthday.value = contact.birthday ?? "";
  ui.tags.value = joinTags(contact.tags);
  ui.favorite.checked = contact.favorite;
  ui.notes.value = contact.notes ?? "";
  for (const kind of Object.keys(entryKinds)) showEntries(kind, contact[kind]);
}

// As in the CSV files: a tag's own comma is written \, (and a backslash \\), so that "Smith, Jones family" comes back
// from the form as one tag, not two.
function joinTags(tags) {
  return tags.map((tag) => tag.replace(/[\\,]/g, (c) => `\\${c}`)).join(", ");
}

function splitTags(text) {
  const tags = [];
  let tag = "";
  for (let i = 0; i < text.length; i++) {
    if (text[i] === "\\" && i + 1 < text.length) tag += text[++i];
    else if (text[i] === ",") { tags.push(tag); tag = ""; }
    else tag += text[i];
  }
  tags.push(tag);
  return tags.map((t) => t.trim()).filter(Boolean);
}

/** What the form says, every detail included: an emptied field is sent empty, and so cleared. */
function editorContact() {
  return {
    firstName: ui.firstName.value,
    lastName: ui.lastName.value.trim() === "" ? null : ui.lastName.value,
    company: ui.company.value,
    title: ui.jobTitle.value,
    birthday: ui.birthday.value,
    notes: ui.notes.value,
    favorite: ui.favorite.checked,
    tags: splitTags(ui.tags.value),
    emails: entriesToSend("emails"),
    phones: entriesToSend("phones"),
    addresses: entriesToSend("addresses"),
  };
}

/** Reports a failed change beside the control that asked for it (`place`), or, when the user did not cause it, as `report` does. */
function reportWrite(error, place = ui.editorError) {
  if (error instanceof ApiError && error.status === 403) {
    place.textContent = "This key can only read. Use “Change API key” to enter the read-write key.";
    ui.changeKey.hidden = false;
  } else if (error instanceof ApiError && error.status < 500 && error.status !== 429 && error.status !== 401) {
    place.textContent = error.message;
  } else {
    report(error);
  }
}

async function startEditing(id) {
  clearFieldErrors();
  try {
    const { body, etag } = await api(`/api/contacts/${id}`);
    editing = { id, etag, name: displayName(body) };
    fillEditor(body);
    ui.editorTitle.textContent = `Edit ${editing.name}`;
    ui.save.textContent = "Save changes";
    ui.cancelEdit.hidden = false;
    ui.editor.scrollIntoView({ block: "nearest" });
    ui.firstName.focus();
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) {
      ui.listStatus.textContent = "That contact has been deleted meanwhile.";
      await reloadList();
    } else {
      report(error, () => startEditing(id));
    }
  }
}

function stopEditing() {
  editing = null;
  ui.editor.reset();
  for (const kind of Object.keys(entryKinds)) showEntries(kind, []);
  clearFieldErrors();
  ui.editorTitle.textContent = "Add a contact";
  ui.save.textContent = "Add contact";
  ui.cancelEdit.hidden = true;
}

ui.cancelEdit.addEventListener("click", () => {
  stopEditing();
  ui.firstName.focus();
});

ui.editor.addEventListener("submit", async (event) => {
  event.preventDefault();
  clearFieldErrors();
  // A date typed only in part reads as empty, which would clear the stored birthday without a word.
  if (ui.birthday.validity.badInput) {
    showFieldErrors({ errors: { birthday: ["Enter the whole date, or clear it."] } });
    return;
  }
  const contact = editorContact();
  ui.save.disabled = true;
  try {
    if (editing) {
      const { body } = await api(`/api/contacts/${editing.id}`, { method: "PUT", body: contact, headers: { "If-Match": editing.etag } });
      ui.listStatus.textContent = `Saved ${displayName(body)}.`;
    } else {
      const { body } = await api("/api/contacts", { method: "POST", body: contact });
      ui.listStatus.textContent = `Added ${displayName(body)}.`;
    }
    const status = ui.listStatus.textContent;
    stopEditing();
    await reloadList();
    ui.listStatus.textContent = status;
    ui.firstName.focus();
  } catch (error) {
    if (error instanceof ApiError && error.status === 400 && showFieldErrors(error.problem)) return;
    if (error instanceof ApiError && error.status === 412 && editing) {
      await Promise.all([startEditing(editing.id), reloadList()]);
      ui.editorError.textContent = "Someone else changed this contact while you were editing it. The form now shows their version: make your change again.";
    } else if (error instanceof ApiError && error.status === 404 && editing) {
      stopEditing();
      ui.editorError.textContent = "This contact was deleted while you were editing it.";
      await reloadList();
    } else {
      reportWrite(error);
    }
  } finally {
    ui.save.disabled = false;
  }
});

// --- Importing and exporting files --------------------------------------------------------------

// The API reads a file by its Content-Type; one chosen from disk often has none, or the system's guess.
const fileTypes = { csv: "text/csv", vcf: "text/vcard", vcard: "text/vcard" };

function showImportStatus(text, failed = false) {
  ui.importStatus.textContent = text;
  ui.importStatus.classList.toggle("failed", failed);
}

function importSummary({ created, merged, skipped, indexingForSearch }) {
  let text = `Imported ${created.toLocaleString()} contact${created === 1 ? "" : "s"}`;
  if (merged) text += `, merged ${merged.toLocaleString()}`;
  if (skipped) text += `, skipped ${skipped.toLocaleString()}`;
  text += ".";
  // A large import is listed at once; search finds its contacts once the server has indexed them.
  if (indexingForSearch) text += " They are listed now; search will find them in a minute or two, once they are indexed.";
  return text;
}

function showImportProblems(problems) {
  showImportStatus("Nothing was imported. Correct these problems in the file, then import it again:", true);
  ui.importProblems.replaceChildren(...problems.map(({ line, field, message }) =>
    element("li", null, `Line ${line}${field ? ` – ${field}` : ""}: ${message}`)));
  ui.importProblems.hidden = false;
}

ui.importForm.addEventListener("submit", async (event) => {
  event.preventDefault();
  ui.importProblems.replaceChildren();
  ui.importProblems.hidden = true;
  const file = ui.importFile.files[0];
  const type = file && fileTypes[/\.([^.]+)$/.exec(file.name)?.[1].toLowerCase()];
  if (!type) {
    showImportStatus(file ? "Choose a vCard (.vcf, .vcard) or CSV (.csv) file." : "Choose a file to import first.", true);
    ui.importFile.focus();
    return;
  }

  const duplicates = ui.importForm.elements.duplicates.value;
  ui.importButton.disabled = true;
  showImportStatus("Importing…");
  try {
    const { body } = await api(`/api/contacts/import?duplicates=${duplicates}`, { method: "POST", body: file, headers: { "Content-Type": type } });
    // Cleared, so that pressing Import again does not import the same file twice.
    ui.importFile.value = "";
    showImportStatus(importSummary(body));
    await reloadList();
  } catch (error) {
    if (error instanceof ApiError && (error.status === 422 || error.status === 400) && error.problem.problems?.length) {
      showImportProblems(error.problem.problems);
    } else if (error instanceof ApiError && error.status === 413) {
      showImportStatus("Nothing was imported: the file is too large. Split it into smaller files and import each.", true);
    } else {
      showImportStatus("The file was not imported.", true);
      reportWrite(error, ui.importStatus);
    }
  } finally {
    ui.importButton.disabled = false;
    // Disabled while it worked, the button lost the focus: a keyboard user goes on from where they were.
    if (document.activeElement === document.body) ui.importButton.focus();
  }
});

async function exportContacts(button, extension, format) {
  const status = ui.exportStatus;
  status.classList.remove("failed");
  status.textContent = `Exporting as ${format}…`;
  button.disabled = true;
  try {
    // The key goes in a header, which a plain link cannot send: the file is fetched, then handed over as a download.
    const { body } = await api(`/api/contacts/export.${extension}`, { download: true, headers: { Accept: `${fileTypes[extension]}, application/problem+json` } });
    const url = URL.createObjectURL(body);
    const link = element("a");
    link.href = url;
    link.download = `contacts.${extension}`;
    document.body.append(link);
    link.click();
    link.remove();
    // Not at once: the browser may still be reading the file for its download.
    setTimeout(() => URL.revokeObjectURL(url), 60_000);
    status.textContent = `Exported every contact to contacts.${extension}.`;
  } catch (error) {
    status.classList.add("failed");
    status.textContent = error instanceof ApiError && error.status === 401
      ? `The ${format} export needs a key: enter one, then export again.`
      : `The ${format} export failed: ${error.message}`;
  } finally {
    button.disabled = false;
    if (document.activeElement === document.body) button.focus();
  }
}

ui.exportVcf.addEventListener("click", () => exportContacts(ui.exportVcf, "vcf", "vCard"));
ui.exportCsv.addEventListener("click", () => exportContacts(ui.exportCsv, "csv", "CSV"));

// --- Search, sort and scrolling -----------------------------------------------------------------

let searchTimer;
ui.search.addEventListener("input", () => {
  clearTimeout(searchTimer);
  searchTimer = setTimeout(reloadList, searchDelayMs);
});
ui.sort.addEventListener("change", reloadList);
ui.onlyFavorites.addEventListener("change", reloadList);

function filterByTag(tag) {
  list.tag = tag;
  ui.tagFilterName.textContent = tag ?? "";
  ui.tagFilter.hidden = tag === null;
  reloadList();
  // The chip pressed is redrawn with the list; focus goes where the filter can be undone.
  (tag === null ? ui.search : ui.clearTag).focus();
}

ui.clearTag.addEventListener("click", () => filterByTag(null));
ui.more.addEventListener("click", loadMore);

const sentinelObserver = new IntersectionObserver((entries) => {
  if (entries.some((entry) => entry.isIntersecting) && list.cursor && !list.loading) loadMore();
}, { rootMargin: "200px" });
sentinelObserver.observe(ui.sentinel);

// --- Start -----------------------------------------------------------------------------------------

async function start() {
  clearStatus();
  try {
    // Each load of the page counts once, however many times a key had to be entered first.
    if (!viewCounted) await countView();
    await reloadList();
  } catch (error) {
    report(error, start);
  }
}

ui.changeKey.hidden = !sessionStorage.getItem(keyStorage);
start();
