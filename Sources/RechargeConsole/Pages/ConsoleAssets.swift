/// The console's one script and one style sheet, served from this binary (no CDN): the page policy allows
/// nothing else. The script only talks to the API; every rule is enforced there.
enum ConsoleAssets {
    static let script = #"""
        "use strict";
        const csrf = () => (document.querySelector('meta[name="csrf-token"]') || {}).content || "";
        const text = (element, value) => { if (element) element.textContent = value; };

        async function api(method, url, body, headers) {
          const response = await fetch(url, { method, body, credentials: "same-origin",
            headers: Object.assign({ "X-CSRF-Token": csrf() }, headers || {}) });
          let data = null;
          try { data = await response.json(); } catch (_) { data = null; }
          return { ok: response.ok, status: response.status, data };
        }

        function contentType(fileName) {
          const name = fileName.toLowerCase();
          if (name.endsWith(".csv")) return "text/csv";
          if (name.endsWith(".json")) return "application/json";
          if (name.endsWith(".ndjson") || name.endsWith(".jsonl")) return "application/x-ndjson";
          return "";
        }

        function csvField(value) {
          const s = value === null || value === undefined ? "" : String(value);
          return /[",\r\n]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s;
        }

        function showUploadErrors(container, data, fileName) {
          container.replaceChildren();
          const heading = document.createElement("h3");
          const count = data.errors.length + data.more;
          heading.textContent = fileName + ": " + count + (count === 1 ? " error" : " errors") + "; nothing was stored";
          container.append(heading);
          const table = document.createElement("table");
          table.id = "upload-error-table";
          const head = table.createTHead().insertRow();
          for (const title of ["Line", "Column", "Value", "What to fix"]) {
            const th = document.createElement("th"); th.textContent = title; head.append(th);
          }
          const body = table.createTBody();
          for (const error of data.errors) {
            const row = body.insertRow();
            for (const value of [error.line, error.column, error.value, error.message]) {
              row.insertCell().textContent = value === null || value === undefined ? "" : String(value);
            }
          }
          container.append(table);
          if (data.more > 0) {
            const more = document.createElement("p");
            more.textContent = "… and " + data.more + " more; fix these and upload again to see the rest.";
            container.append(more);
          }
          const lines = ["line,column,value,message"].concat(
            data.errors.map(e => [e.line, e.column, e.value, e.message].map(csvField).join(",")));
          const link = document.createElement("a");
          link.id = "upload-errors-download";
          link.href = URL.createObjectURL(new Blob([lines.join("\r\n") + "\r\n"], { type: "text/csv" }));
          link.download = "errors.csv";
          link.textContent = "Download the errors (CSV)";
          container.append(link);
        }

        function bindLogin(form) {
          form.addEventListener("submit", async event => {
            event.preventDefault();
            const body = JSON.stringify({ name: form.elements.name.value, password: form.elements.password.value });
            const result = await api("POST", "/api/session", body, { "Content-Type": "application/json" });
            if (result.ok) { location.assign("/batches"); return; }
            text(form.querySelector(".form-error"), result.data ? result.data.message : "sign-in failed (" + result.status + ")");
          });
        }

        function bindUpload(form) {
          form.addEventListener("submit", async event => {
            event.preventDefault();
            const file = form.elements.file.files[0];
            const errors = document.getElementById("upload-errors");
            const message = form.querySelector(".form-error");
            errors.replaceChildren(); text(message, "");
            if (!file) return;
            const type = contentType(file.name);
            if (!type) { text(message, file.name + ": the name must end in .csv, .json, .ndjson or .jsonl"); return; }
            const name = form.elements.name.value.trim();
            const url = "/api/batches?file=" + encodeURIComponent(file.name) + (name ? "&name=" + encodeURIComponent(name) : "");
            text(message, "uploading and validating " + file.name + " …");
            const result = await api("POST", url, file, { "Content-Type": type });
            if (result.status === 201) { location.assign("/batches/" + result.data.id); return; }
            text(message, "");
            if (result.status === 422 && result.data && result.data.errors) { showUploadErrors(errors, result.data, file.name); return; }
            text(message, result.data ? result.data.message : "upload failed (" + result.status + ")");
          });
        }

        function bindAction(form) {
          form.addEventListener("submit", async event => {
            event.preventDefault();
            if (form.dataset.confirm && !confirm(form.dataset.confirm)) return;
            const fields = {};
            for (const element of form.elements) {
              if (element.name && element.name !== "csrf") fields[element.name] = element.value;
            }
            const method = form.dataset.method || "POST";
            const body = method === "DELETE" ? null : JSON.stringify(fields);
            const result = await api(method, form.dataset.endpoint, body, { "Content-Type": "application/json" });
            if (result.ok) { if (form.dataset.then) location.assign(form.dataset.then); else location.reload(); return; }
            text(form.querySelector(".form-error"), result.data ? result.data.message : "refused (" + result.status + ")");
          });
        }

        function duration(seconds) {
          if (seconds === null || seconds === undefined) return "–";
          if (seconds < 60) return seconds + " s";
          if (seconds < 3600) return Math.floor(seconds / 60) + " min " + (seconds % 60) + " s";
          return Math.floor(seconds / 3600) + " h " + Math.floor((seconds % 3600) / 60) + " min";
        }

        function showProgress(section, snapshot) {
          text(document.getElementById("progress-done"), snapshot.done + "/" + snapshot.total);
          text(document.getElementById("progress-rate"), snapshot.ratePerSecond === null ? "–" : snapshot.ratePerSecond + " lines/s");
          text(document.getElementById("progress-eta"), duration(snapshot.etaSeconds));
          text(document.getElementById("progress-in-doubt"), String(snapshot.inDoubt));
          text(document.getElementById("progress-failed"), String(snapshot.failed));
          const state = document.getElementById("batch-state");
          if (state) { state.textContent = snapshot.state; state.className = "state state-" + snapshot.state.toLowerCase(); }
          const body = document.getElementById("progress-accounts");
          body.replaceChildren();
          for (const account of snapshot.accounts) {
            const row = body.insertRow();
            row.dataset.account = account.account;
            const values = [account.account, account.done + "/" + account.total, account.succeeded, account.inDoubt, account.failed,
              account.cancelled];
            values.forEach((value, index) => {
              const cell = row.insertCell(); cell.textContent = String(value);
              if (index > 0) cell.className = index === 1 ? "num done" : "num";
            });
          }
        }

        function watchProgress(section) {
          const source = new EventSource("/api/batches/" + section.dataset.batch + "/progress");
          source.addEventListener("progress", event => showProgress(section, JSON.parse(event.data)));
          source.addEventListener("done", event => {
            showProgress(section, JSON.parse(event.data));
            source.close();
            section.dataset.finished = "true";
            const frame = document.querySelector("#report iframe");
            if (frame) frame.src = frame.src;
          });
        }

        document.addEventListener("DOMContentLoaded", () => {
          const login = document.getElementById("login-form"); if (login) bindLogin(login);
          const upload = document.getElementById("upload-form"); if (upload) bindUpload(upload);
          document.querySelectorAll("form.api-form").forEach(bindAction);
          const progress = document.getElementById("progress"); if (progress) watchProgress(progress);
        });
        """#

    static let style = """
        :root { font-family: system-ui, sans-serif; color: #1d2330; background: #f5f6f8; }
        body { margin: 0; }
        nav { display: flex; gap: 1rem; align-items: center; padding: .6rem 1.2rem; background: #1d2330; color: #fff; }
        nav a { color: #fff; font-weight: 600; text-decoration: none; }
        nav .who { margin-left: auto; }
        nav form { margin: 0; }
        main { padding: 1rem 1.2rem; max-width: 80rem; }
        .card { background: #fff; border: 1px solid #d8dce3; border-radius: 6px; padding: .8rem 1rem; margin: 0 0 1rem; }
        table { border-collapse: collapse; width: 100%; margin: .4rem 0; }
        th, td { text-align: left; padding: .3rem .5rem; border-bottom: 1px solid #e6e8ec; vertical-align: top; }
        td.num, .money { font-variant-numeric: tabular-nums; }
        table.facts th { width: 12rem; }
        code { font-size: .85em; word-break: break-all; }
        label { display: block; margin: .4rem 0; }
        input, select, button { font: inherit; padding: .3rem .5rem; }
        button { cursor: pointer; border: 1px solid #2f5bd3; background: #2f5bd3; color: #fff; border-radius: 4px; }
        button.danger { border-color: #b3261e; background: #b3261e; }
        form.inline { display: flex; gap: .3rem; align-items: center; }
        .form-error { color: #b3261e; }
        .note { color: #5b6270; }
        .state { font-size: .8em; padding: .1rem .4rem; border-radius: 3px; background: #e6e8ec; }
        .state-awaiting_approval { background: #fff1c2; }
        .state-rejected { background: #fbd3d0; }
        .state-completed { background: #d3f2dc; }
        .state-running { background: #d6e4ff; }
        iframe { width: 100%; height: 40rem; border: 1px solid #d8dce3; }
        """
}
