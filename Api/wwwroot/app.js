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
  save: $("save"),
  cancelEdit: $("cancel-edit"),
  search: $("search"),
  sort: $("sort"),
  listStatus: $("list-status"),
  contacts: $("contacts"),
  empty: $("empty"),
  more: $("more"),
  sentinel: $("sentinel"),
};

const list = { cursor: null, loading: false, generation: 0, count: 0 };
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

async function api(path, { method = "GET", body, headers = {} } = {}) {
  const key = sessionStorage.getItem(keyStorage);
  const requestHeaders = { Accept: "application/json", ...headers };
  if (key) requestHeaders["X-Api-Key"] = key;
  if (body !== undefined) requestHeaders["Content-Type"] = "application/json";

  let response;
  try {
    response = await fetch(path, { method, headers: requestHeaders, body: body === undefined ? undefined : JSON.stringify(body) });
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
  const query = new URLSearchParams({ limit: String(pageSize), sort: ui.sort.value });
  const search = ui.search.value.trim();
  if (search) query.set("q", search);
  if (list.cursor) query.set("cursor", list.cursor);
  return `/api/contacts?${query}`;
}

async function reloadList() {
  list.generation++;
  list.cursor = null;
  list.count = 0;
  list.loading = false;
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
    for (const contact of body.items) ui.contacts.append(renderContact(contact));
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
  ui.empty.textContent = search ? `No contacts match “${search}”.` : "No contacts yet. Add the first one with the form above.";
}

function displayName(contact) {
  return [contact.firstName, contact.lastName].filter(Boolean).join(" ");
}

function renderContact(contact) {
  const item = document.createElement("li");
  item.className = "contact";
  item.dataset.id = String(contact.id);

  const text = document.createElement("div");
  text.className = "contact-text";
  const name = document.createElement("span");
  name.className = "contact-name";
  name.textContent = displayName(contact);
  const added = document.createElement("span");
  added.className = "contact-meta";
  added.textContent = `Added ${new Date(contact.createdAt).toLocaleDateString()}`;
  text.append(name, added);

  const actions = document.createElement("div");
  actions.className = "contact-actions";
  actions.append(
    button("Edit", `Edit ${displayName(contact)}`, "secondary", () => startEditing(contact.id)),
    button("Delete", `Delete ${displayName(contact)}`, "danger", () => confirmDelete(item, contact)));

  item.append(text, actions);
  return item;
}

function button(label, accessibleName, className, onClick) {
  const element = document.createElement("button");
  element.type = "button";
  element.textContent = label;
  element.className = className;
  element.setAttribute("aria-label", accessibleName);
  element.addEventListener("click", onClick);
  return element;
}

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
    previous[1].focus();
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

function clearFieldErrors() {
  ui.editorError.textContent = "";
  for (const error of ui.editor.querySelectorAll("[data-error-for]")) error.textContent = "";
  for (const input of ui.editor.querySelectorAll("input")) input.removeAttribute("aria-invalid");
}

/** Puts each of the problem's per-field errors next to its field; returns whether any field had one. */
function showFieldErrors(problem) {
  let first = null;
  for (const [field, messages] of Object.entries(problem.errors ?? {})) {
    const target = ui.editor.querySelector(`[data-error-for="${CSS.escape(field)}" i]`);
    if (!target) continue;
    target.textContent = messages.join(" ");
    const input = ui.editor.querySelector(`[aria-describedby="${target.id}"]`);
    input?.setAttribute("aria-invalid", "true");
    first ??= input;
  }
  first?.focus();
  return first !== null;
}

function reportWrite(error) {
  if (error instanceof ApiError && error.status === 403) {
    ui.editorError.textContent = "This key can only read. Use “Change API key” to enter the read-write key.";
    ui.changeKey.hidden = false;
  } else if (error instanceof ApiError && error.status < 500 && error.status !== 429 && error.status !== 401) {
    ui.editorError.textContent = error.message;
  } else {
    report(error);
  }
}

async function startEditing(id) {
  clearFieldErrors();
  try {
    const { body, etag } = await api(`/api/contacts/${id}`);
    editing = { id, etag, name: displayName(body) };
    ui.firstName.value = body.firstName;
    ui.lastName.value = body.lastName ?? "";
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
  const contact = { firstName: ui.firstName.value, lastName: ui.lastName.value.trim() === "" ? null : ui.lastName.value };
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

// --- Search, sort and scrolling -----------------------------------------------------------------

let searchTimer;
ui.search.addEventListener("input", () => {
  clearTimeout(searchTimer);
  searchTimer = setTimeout(reloadList, searchDelayMs);
});
ui.sort.addEventListener("change", reloadList);
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
