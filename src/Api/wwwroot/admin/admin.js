// OptLib admin UI: the only script. A running job's page polls its JSON and updates the progress, step and log in
// place (text only, never markup); when the job finishes the page reloads to show metrics and the report.
(function () {
  // Widths come from data attributes: the content security policy allows no inline style.
  for (const el of document.querySelectorAll("[data-percent]")) el.style.width = el.getAttribute("data-percent") + "%";
  const card = document.querySelector("[data-job-poll]");
  if (!card) return;
  const url = card.getAttribute("data-job-poll");
  const text = (id, value) => { const el = document.getElementById(id); if (el) el.textContent = value; };

  async function poll() {
    let job;
    try {
      const response = await fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" });
      if (!response.ok) return setTimeout(poll, 3000);
      job = await response.json();
    } catch {
      return setTimeout(poll, 3000);
    }

    const { done, total } = job.progress;
    text("job-state", job.state);
    text("job-progress", `${done} / ${total}`);
    text("job-step", job.currentStep || job.phase || "");
    const bar = document.getElementById("job-bar");
    if (bar) bar.style.width = (total ? Math.round(100 * done / total) : 0) + "%";
    const log = document.getElementById("job-log");
    if (log) {
      log.replaceChildren(...job.log.slice(-500).map(line => {
        const li = document.createElement("li");
        li.textContent = `${new Date(line.at).toISOString().substring(11, 19)} ${line.level} ${line.message}`;
        return li;
      }));
    }

    if (["succeeded", "failed", "cancelled"].includes(job.state)) {
      location.reload();
    } else {
      setTimeout(poll, 1000);
    }
  }

  setTimeout(poll, 1000);
})();
