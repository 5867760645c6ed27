using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using OptLib.Library.Insights;
using OptLib.Library.Validation;
using OptLib.Tests.Infrastructure;

namespace OptLib.Tests.Security;

/// <summary>
/// Input the database cannot store or the routes should not take: the NUL character in any text, numbers that are not
/// numbers in admin query strings and id routes, and a form body cut short. Each is a 4xx, never a 500.
/// </summary>
public sealed class InputHardeningTests(OptLibApp app) : IClassFixture<OptLibApp>
{
    private const string Nul = "text with a \0 in it";

    [Fact]
    public async Task ANulCharacterIsA400NamingTheFieldOnEveryRouteThatStoresOrSearchesText()
    {
        using var api = app.Admin();
        var taxonomy = (await api.GetFromJsonAsync<JsonArray>("/api/taxonomy"))!;
        var level1 = taxonomy[0]!["children"]![0]!["id"]!.GetValue<long>();
        var leaf = taxonomy[0]!["children"]![0]!["children"]![0]!["id"]!.GetValue<long>();
        var created = await api.PostAsJsonAsync("/api/insights", new { condition = "c", explanation = "e", example = "x", taxonomyNodeIds = new[] { leaf }, reason = "r" });
        created.EnsureSuccessStatusCode();
        var insight = (await created.Content.ReadFromJsonAsync<InsightDto>())!;

        object Insight(string field) => new Dictionary<string, object>
        {
            ["condition"] = field == "condition" ? Nul : "c", ["explanation"] = field == "explanation" ? Nul : "e",
            ["example"] = field == "example" ? Nul : "x", ["reason"] = field == "reason" ? Nul : "r", ["taxonomyNodeIds"] = new[] { leaf },
        };

        var cases = new (HttpMethod Method, string Url, object? Body, string Field)[]
        {
            (HttpMethod.Post, "/api/insights", Insight("condition"), "condition"),
            (HttpMethod.Post, "/api/insights", Insight("explanation"), "explanation"),
            (HttpMethod.Post, "/api/insights", Insight("example"), "example"),
            (HttpMethod.Post, "/api/insights", Insight("reason"), "reason"),
            (HttpMethod.Put, $"/api/insights/{insight.Id}", new { condition = Nul, explanation = "e", example = "x", taxonomyNodeIds = new[] { leaf }, expectedVersion = insight.Version, reason = "r" }, "condition"),
            (HttpMethod.Post, $"/api/insights/{insight.Id}/versions/1/restore", new { expectedVersion = insight.Version, reason = Nul }, "reason"),
            (HttpMethod.Delete, $"/api/insights/{insight.Id}?reason=%00", null, "reason"),
            (HttpMethod.Post, "/api/keys", new { name = Nul, role = "viewer" }, "name"),
            (HttpMethod.Post, "/api/taxonomy/nodes", new { parentId = level1, name = Nul }, "name"),
            (HttpMethod.Post, "/api/taxonomy/nodes", new { parentId = level1, name = "Fine Label", definition = Nul }, "definition"),
            (HttpMethod.Put, $"/api/taxonomy/nodes/{leaf}", new { name = Nul }, "name"),
            (HttpMethod.Post, "/api/datasets/import", new { dataset = Nul, split = "train", tasks = Array.Empty<object>() }, "dataset"),
            (HttpMethod.Post, "/api/datasets/import", new { dataset = "d", split = Nul, tasks = Array.Empty<object>() }, "split"),
            (HttpMethod.Post, "/api/datasets/import", new { dataset = "d", split = "train", tasks = new[] { new { task_id = "t1", description = Nul, ground_truth = 1.0 } } }, "tasks[0].description"),
            (HttpMethod.Post, "/api/library/import", new { library = new[] { new { insight_id = 1, condition = Nul, explanation = "e", example = "x" } } }, "library[0].condition"),
            (HttpMethod.Post, "/api/library/retrieve", new { problem = Nul, stage = "formulation" }, "problem"),
            (HttpMethod.Get, "/api/insights?q=%00", null, "q"),
            (HttpMethod.Get, "/api/insights?stage=formulation%00", null, "stage"),
        };

        foreach (var (method, url, body, field) in cases)
        {
            using var request = new HttpRequestMessage(method, url) { Content = body is null ? null : JsonContent.Create(body) };
            var response = await api.SendAsync(request);
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{method} {url} ({field}) answered {(int)response.StatusCode}: {text}");
            var errors = JsonNode.Parse(text)!["errors"]!.AsObject();
            Assert.True(errors.ContainsKey(field), $"{method} {url} named {string.Join(", ", errors.Select(e => e.Key))}, not {field}");
            Assert.Contains(StorableText.Error, errors[field]!.AsArray().Select(e => e!.GetValue<string>()));
        }

        // Nothing of it was stored: the insight is as created, and no key has the name.
        var after = (await api.GetFromJsonAsync<InsightDto>($"/api/insights/{insight.Id}"))!;
        Assert.Equal((insight.Version, "c", insight.Status), (after.Version, after.Condition, after.Status));
        Assert.DoesNotContain("\\u0000", await api.GetStringAsync("/api/keys"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnAdminFormFieldWithANulIsA400()
    {
        var (_, _, session) = await AdminSession.SignInAsync(app, "admin", await app.ReadCredentialAsync("admin_password"));
        using (session)
        {
            var token = await session.TokenAsync("/admin/taxonomy/edit");
            using var form = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["_handler"] = "add", ["__RequestVerificationToken"] = token, ["Add.Name"] = "Nul " + Nul,
            });
            var response = await session.Client.PostAsync("/admin/taxonomy/edit", form);

            // ASP.NET's form reader refuses the NUL itself, without naming the field; it is a 400 all the same.
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"answered {(int)response.StatusCode}: {text}");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            using var api = app.Admin();
            Assert.DoesNotContain("Nul text", await api.GetStringAsync("/api/taxonomy"), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task AdminPagesIgnoreANumberInTheQueryThatIsNotANumber()
    {
        var (_, _, session) = await AdminSession.SignInAsync(app, "admin", await app.ReadCredentialAsync("admin_password"));
        using (session)
        {
            using var api = app.Admin();
            var leaf = (await api.GetFromJsonAsync<JsonArray>("/api/taxonomy"))![0]!["children"]![0]!["children"]![0]!["id"]!.GetValue<long>();
            var created = await api.PostAsJsonAsync("/api/insights", new { condition = "paged condition", explanation = "e", example = "x", taxonomyNodeIds = new[] { leaf }, reason = "r" });
            var id = (await created.Content.ReadFromJsonAsync<InsightDto>())!.Id;

            // The bad number is ignored: the page shows as without it (the first page, the latest versions).
            foreach (var (url, shows) in new[]
            {
                ("/admin/insights?page=abc", "paged condition"), ("/admin/insights?page=-3", "paged condition"),
                ("/admin/problems?page=abc", "Problems"), ("/admin/jobs?page=1e9", "Jobs"), ("/admin/review?page=x&insight=y&done=approved", "Review"),
                ($"/admin/insights/{id}?a=one&b=%20", "paged condition"), ("/admin/taxonomy/edit", "Add a label"),
            })
            {
                var response = await session.Client.GetAsync(url);
                var html = await response.Content.ReadAsStringAsync();
                Assert.True(response.StatusCode == HttpStatusCode.OK, $"{url} answered {(int)response.StatusCode}");
                Assert.Contains(shows, html, StringComparison.Ordinal);
            }
        }
    }

    [Fact]
    public async Task AnIdWithASpaceMatchesNoRoute()
    {
        using var api = app.Admin();
        var created = await api.PostAsJsonAsync("/api/keys", new { name = "spaced", role = "viewer" });
        var id = (await created.Content.ReadFromJsonAsync<JsonObject>())!["key"]!["id"]!.GetValue<long>();

        foreach (var url in new[] { $"/api/keys/%20{id}", $"/api/keys/{id}%20", $"/api/keys/+{id}", $"/api/keys/{id}.0" })
        {
            var response = await api.DeleteAsync(url);
            Assert.True(response.StatusCode == HttpStatusCode.NotFound, $"DELETE {url} answered {(int)response.StatusCode}");
        }

        var keys = (await api.GetFromJsonAsync<JsonArray>("/api/keys"))!;
        var key = keys.Single(k => k!["id"]!.GetValue<long>() == id)!;
        Assert.True(key["revokedAt"] is null, $"the key was revoked: {key.ToJsonString()}");
        Assert.Equal(HttpStatusCode.OK, (await api.DeleteAsync($"/api/keys/{id}")).StatusCode); // the constraint still takes digits
    }

    [Fact]
    public async Task AMultipartImportCutShortIsA400()
    {
        using var api = app.Admin();
        const string body = "--cut\r\nContent-Disposition: form-data; name=\"library\"; filename=\"library.json\"\r\nContent-Type: application/json\r\n\r\n[{\"insight_id\": 1, \"condi";
        using var content = new StringContent(body, Encoding.UTF8);
        content.Headers.ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse("multipart/form-data; boundary=cut");
        var response = await api.PostAsync("/api/library/import", content);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"answered {(int)response.StatusCode}: {text}");
        Assert.Contains("form could not be read", text, StringComparison.Ordinal);
    }

    /// <summary>
    /// Every operation of the REST API, found in its OpenAPI document: each string its body schema has (nested objects,
    /// lists and dictionary keys included) and each query parameter gets a NUL, one at a time. None may be a 5xx, and
    /// none may succeed: text with a NUL is never stored.
    /// </summary>
    [Fact]
    public async Task ANulInAnyBodyFieldOrQueryOfAnyRouteIsRefusedWithoutAServerError()
    {
        using var api = app.Admin();
        var (faults, sent, routes) = await FuzzAsync(api, (operation, schemas) =>
        {
            var url = IdsIn(operation.Path, "1");
            var variants = operation.Queries
                .Select(q => (Url: $"{url}?{q}=%00", Body: operation.Body is { } b ? new Sample(schemas, -1).Build(b)?.ToJsonString() : null, What: $"a NUL in {q}"))
                .ToList();
            for (var target = 0; operation.Body is { } body; target++)
            {
                var sample = new Sample(schemas, target);
                var built = sample.Build(body);
                if (sample.Slots <= target)
                {
                    break;
                }

                variants.Add((url, built?.ToJsonString(), $"a NUL in {sample.Target ?? "?"}"));
            }

            return variants;
        }, (status, _) => status is < 400 or >= 500);

        Assert.True(faults.Count == 0, string.Join("\n", faults));
        Assert.True(routes.Count >= 15 && sent >= 60, $"only {sent} requests to {routes.Count} routes");
        Assert.Contains("POST /api/insights", routes);
        Assert.Contains("POST /api/datasets/import", routes);
    }

    /// <summary>
    /// Every operation of the REST API, found in its OpenAPI document, gets what a careless or hostile client sends:
    /// each body value swapped for one of the wrong type, bodies that are no JSON, nested too deep or huge, ids in the
    /// path that are unknown, negative or overflow, and query values that are no numbers or far too long. A client's
    /// mistake is a 4xx; the only 5xx allowed is the documented 503 for a capability this host has not configured.
    /// </summary>
    [Fact]
    public async Task NoRouteAnswersAServerErrorToWrongTypesHugeOrNestedBodiesOrUnknownIds()
    {
        using var api = app.Admin();
        var (faults, sent, routes) = await FuzzAsync(api, (operation, schemas) =>
        {
            var valid = operation.Body is { } b ? new Sample(schemas, -1).Build(b) : null;
            var url = IdsIn(operation.Path, "987654321");
            var variants = new List<(string Url, string? Body, string What)>();
            if (operation.Path.Contains('{'))
            {
                variants.AddRange(new[] { "0", "-1", "9223372036854775807", "99999999999999999999", "1e3", "%2e%2e" }
                    .Select(id => (IdsIn(operation.Path, id), valid?.ToJsonString(), $"the id {id}")));
            }

            variants.Add((url, valid?.ToJsonString(), "an unknown id or a plain call"));
            variants.AddRange(
                from query in operation.Queries
                from value in new[] { "abc", "-1", "99999999999999999999", "1.5", new string('q', 20_000) }
                select ($"{url}?{query}={value}", valid?.ToJsonString(), $"{query}={value[..Math.Min(value.Length, 24)]}"));
            if (valid is not null)
            {
                variants.AddRange(WrongTypes(valid).Select(w => (url, (string?)w.Body.ToJsonString(), $"a wrong type at {w.At}")));
                var deep = string.Concat(Enumerable.Repeat("{\"a\":[", 400)) + string.Concat(Enumerable.Repeat("]}", 400));
                var huge = Replace(valid.DeepClone(), node => node is JsonValue v && v.TryGetValue<string>(out _) ? JsonValue.Create(new string('h', 300_000)) : null);
                variants.AddRange([
                    (url, "{\"broken\": ", "a body cut short"), (url, "\"just a string\"", "a string for a body"), (url, "[]", "a list for a body"),
                    (url, "null", "null for a body"), (url, deep, "a body nested 800 deep"), (url, huge.ToJsonString(), "300k characters in every string"),
                ]);
            }

            return variants;
        }, (status, text) => status >= 500 && !(status == 503 && text.Contains("is configured", StringComparison.OrdinalIgnoreCase)));

        Assert.True(faults.Count == 0, $"{faults.Count} of {sent} requests:\n" + string.Join("\n", faults));
        Assert.True(routes.Count >= 15 && sent >= 300, $"only {sent} requests to {routes.Count} routes");
    }

    /// <summary>An operation of the OpenAPI document: its method, path template, query parameters and JSON body schema.</summary>
    private sealed record Operation(HttpMethod Method, string Path, IReadOnlyList<string> Queries, JsonElement? Body);

    /// <summary>
    /// Sends every variant that <paramref name="variants"/> makes of each REST operation, and lists the answers that
    /// <paramref name="isFault"/> calls faults, with the requests sent and the routes reached.
    /// </summary>
    private static async Task<(List<string> Faults, int Sent, HashSet<string> Routes)> FuzzAsync(HttpClient api,
        Func<Operation, JsonElement, IEnumerable<(string Url, string? Body, string What)>> variants, Func<int, string, bool> isFault)
    {
        var document = JsonDocument.Parse(await api.GetStringAsync("/openapi/v1.json")).RootElement;
        var schemas = document.GetProperty("components").GetProperty("schemas");
        var (faults, sent, routes) = (new List<string>(), 0, new HashSet<string>());
        foreach (var path in document.GetProperty("paths").EnumerateObject())
        {
            foreach (var op in path.Value.EnumerateObject().Where(o => o.Name is "get" or "post" or "put" or "patch" or "delete"))
            {
                var queries = op.Value.TryGetProperty("parameters", out var parameters)
                    ? parameters.EnumerateArray().Where(p => p.GetProperty("in").GetString() == "query").Select(p => p.GetProperty("name").GetString()!).ToList()
                    : [];
                var body = op.Value.TryGetProperty("requestBody", out var requestBody)
                    && requestBody.GetProperty("content").TryGetProperty("application/json", out var json) && json.TryGetProperty("schema", out var schema)
                    ? schema : (JsonElement?)null;
                var operation = new Operation(new HttpMethod(op.Name.ToUpperInvariant()), path.Name, queries, body);
                foreach (var (url, content, what) in variants(operation, schemas))
                {
                    using var request = new HttpRequestMessage(operation.Method, url)
                    {
                        Content = content is null ? null : new StringContent(content, Encoding.UTF8, "application/json"),
                    };
                    var response = await api.SendAsync(request);
                    sent++;
                    routes.Add($"{operation.Method} {operation.Path}");
                    var text = await response.Content.ReadAsStringAsync();
                    if (isFault((int)response.StatusCode, text))
                    {
                        faults.Add($"{operation.Method} {url[..Math.Min(url.Length, 120)]} with {what}: {(int)response.StatusCode} {text[..Math.Min(text.Length, 300)]}");
                    }
                }
            }
        }

        return (faults, sent, routes);
    }

    private static string IdsIn(string path, string id) => System.Text.RegularExpressions.Regex.Replace(path, @"\{[^}]+\}", id);

    [Fact]
    public async Task TheJobDashboardAnswersNoServerErrorToAnyOfItsPagesOrToGarbage()
    {
        var (_, _, session) = await AdminSession.SignInAsync(app, "admin", await app.ReadCredentialAsync("admin_password"));
        using (session)
        {
            var faults = new List<string>();
            foreach (var (method, path) in new[]
                     {
                         ("GET", ""), ("GET", "/stats"), ("POST", "/stats"), ("GET", "/jobs/enqueued"), ("GET", "/jobs/details/987654321"),
                         ("GET", "/jobs/details/abc"), ("GET", "/recurring"), ("GET", "/servers"), ("GET", "/retries"), ("GET", "/jobs/succeeded?from=abc&count=-1"),
                         ("POST", "/jobs/enqueued/delete"), ("POST", "/recurring/trigger"), ("GET", "/js123"), ("GET", "/no/such/page"),
                     })
            {
                using var request = new HttpRequestMessage(new HttpMethod(method), OptLib.Api.Admin.AdminUi.HangfirePath + path)
                {
                    Content = method == "POST" ? new FormUrlEncodedContent(new Dictionary<string, string> { ["jobs[]"] = "987654321", ["metrics[]"] = "x" }) : null,
                };
                var response = await session.Client.SendAsync(request);
                if ((int)response.StatusCode >= 500)
                {
                    faults.Add($"{method} {path}: {(int)response.StatusCode}");
                }
            }

            Assert.True(faults.Count == 0, string.Join("\n", faults));
            Assert.Equal(HttpStatusCode.OK, (await session.Client.GetAsync(OptLib.Api.Admin.AdminUi.HangfirePath + "/servers")).StatusCode);
        }
    }

    /// <summary>Copies of <paramref name="body"/>, each with one value (at any depth) swapped for one of another JSON type.</summary>
    private static IEnumerable<(JsonNode Body, string At)> WrongTypes(JsonNode body)
    {
        var count = 0;
        Replace(body.DeepClone(), _ => { count++; return null; });
        for (var target = 0; target < count; target++)
        {
            var seen = 0;
            string? at = null;
            var mutated = Replace(body.DeepClone(), node =>
            {
                if (seen++ != target)
                {
                    return null;
                }

                at = node?.GetPath() ?? "a null";
                return node switch
                {
                    JsonObject => new JsonArray(1, 2),
                    JsonArray => JsonValue.Create("not a list"),
                    JsonValue v when v.TryGetValue<string>(out _) => new JsonObject { ["not"] = "a string" },
                    JsonValue v when v.TryGetValue<bool>(out _) => JsonValue.Create("not a boolean"),
                    _ => JsonValue.Create("not a number"),
                };
            });
            yield return (mutated, at!);
        }
    }

    /// <summary>Walks the tree depth first; where <paramref name="swap"/> answers a node, that node takes its place.</summary>
    private static JsonNode Replace(JsonNode node, Func<JsonNode?, JsonNode?> swap)
    {
        if (swap(node) is { } replaced)
        {
            return replaced;
        }

        switch (node)
        {
            case JsonObject o:
                foreach (var key in o.Select(kv => kv.Key).ToList())
                {
                    var child = o[key];
                    if ((child is null ? swap(null) : Replace(child, swap)) is { } next && !ReferenceEquals(next, child))
                    {
                        o[key] = next;
                    }
                }

                break;
            case JsonArray a:
                for (var i = 0; i < a.Count; i++)
                {
                    var child = a[i];
                    if ((child is null ? swap(null) : Replace(child, swap)) is { } next && !ReferenceEquals(next, child))
                    {
                        a[i] = next;
                    }
                }

                break;
        }

        return node;
    }

    /// <summary>
    /// A request body that fits a schema of the OpenAPI document, with a NUL in its <c>target</c>-th string (none for
    /// -1). <see cref="Slots"/> counts the strings it has, so the caller knows when every one has had its turn.
    /// </summary>
    private sealed class Sample(JsonElement schemas, int target)
    {
        public int Slots { get; private set; }

        public string? Target { get; private set; }

        public JsonNode? Build(JsonElement schema) => Build(schema, "body", 0);

        private JsonNode? Build(JsonElement schema, string at, int depth)
        {
            if (schema.TryGetProperty("$ref", out var reference))
            {
                schema = schemas.GetProperty(reference.GetString()!.Split('/')[^1]);
            }

            foreach (var choice in new[] { "oneOf", "anyOf", "allOf" })
            {
                if (schema.TryGetProperty(choice, out var options))
                {
                    var option = options.EnumerateArray().FirstOrDefault(o => !(o.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String && t.GetString() == "null"));
                    return option.ValueKind == JsonValueKind.Undefined ? null : Build(option, at, depth);
                }
            }

            var type = schema.TryGetProperty("type", out var t) ? t.ValueKind == JsonValueKind.Array
                ? t.EnumerateArray().Select(x => x.GetString()).FirstOrDefault(x => x != "null") : t.GetString() : null;
            if (type is null && schema.TryGetProperty("properties", out _))
            {
                type = "object";
            }

            switch (type)
            {
                case "object" when depth < 6:
                    var result = new JsonObject();
                    if (schema.TryGetProperty("properties", out var properties))
                    {
                        foreach (var property in properties.EnumerateObject())
                        {
                            result[property.Name] = Build(property.Value, $"{at}.{property.Name}", depth + 1);
                        }
                    }
                    else if (schema.TryGetProperty("additionalProperties", out var values) && values.ValueKind == JsonValueKind.Object)
                    {
                        result[Text($"{at} (a key)")] = Build(values, $"{at}.key", depth + 1);
                    }

                    return result;
                case "object":
                    return new JsonObject();
                case "array" when depth < 6:
                    return schema.TryGetProperty("items", out var items) ? new JsonArray(Build(items, $"{at}[0]", depth + 1)) : new JsonArray();
                case "array":
                    return new JsonArray();
                case "integer" or "number":
                    return 1;
                case "boolean":
                    return false;
                case "string" when schema.TryGetProperty("enum", out var choices) && choices.GetArrayLength() > 0:
                    var text = Text(at);
                    return text.Contains('\0', StringComparison.Ordinal) ? text : choices[0].GetString();
                default: // a string, or anything (a JSON element)
                    return Text(at);
            }
        }

        private string Text(string at)
        {
            if (Slots++ != target)
            {
                return "x";
            }

            Target = at;
            return Nul;
        }
    }
}
