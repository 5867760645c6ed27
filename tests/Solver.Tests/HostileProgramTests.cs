using OptLib.Solver.Runs;

namespace OptLib.Solver.Tests;

/// <summary>
/// Each hostile program ends with one exact status and diagnostic, and the host keeps serving afterwards.
/// </summary>
[Collection(SandboxCollection.Name)]
public sealed class HostileProgramTests(SandboxFixture sandbox)
{
    [Theory]
    [InlineData("read_passwd.cs", 7, "System.IO.File.ReadAllText", "no file system access")]
    [InlineData("open_socket.cs", 7, "System.Net.Sockets.Socket", "no network access")]
    [InlineData("http_client.cs", 5, "System.Net.Http.HttpClient", "no network access")]
    [InlineData("process_start.cs", 7, "System.Diagnostics.Process.Start", "no processes")]
    [InlineData("reflection_by_string.cs", 5, "System.Type.GetType", "no reflection")]
    [InlineData("activator.cs", 5, "System.Activator.CreateInstance", "no reflection")]
    [InlineData("dynamic_dispatch.cs", 5, "dynamic", "'dynamic' is not allowed")]
    [InlineData("unsafe_as.cs", 8, "System.Runtime.CompilerServices.Unsafe.As", "no runtime internals")]
    [InlineData("assembly_loading.cs", 7, "System.Runtime.Loader.AssemblyLoadContext.LoadFromAssemblyPath", "no assembly loading")]
    [InlineData("unsafe_block.cs", 5, "unsafe", "'unsafe' code is not allowed")]
    [InlineData("dllimport.cs", 5, "extern", "'extern' methods are not allowed")]
    [InlineData("spawn_thread.cs", 7, "System.Threading.Thread", "no threads")]
    [InlineData("task_run.cs", 5, "System.Threading.Tasks.Task.Run", "no threads")]
    [InlineData("parallel_linq.cs", 5, "System.Linq.ParallelEnumerable.Sum", "no threads")]
    [InlineData("environment_exit.cs", 5, "System.Environment.Exit", "no access to the process")]
    [InlineData("gc_collect.cs", 5, "System.GC.Collect", "no access to the process")]
    [InlineData("appdomain.cs", 5, "System.AppDomain.BaseDirectory", "no access to the process")]
    [InlineData("cp_export_to_file.cs", 10, "Google.OrTools.Sat.CpModel.ExportToFile", "no program may write, read or dump files")]
    [InlineData("write_mps_file.cs", 10, "Google.OrTools.LinearSolver.Solver.WriteModelToMpsFile", "no program may write, read or dump files")]
    [InlineData("solver_parameters_escape.cs", 8, "Google.OrTools.LinearSolver.Solver.SetSolverSpecificParametersAsString", "no program may write, read or dump files")]
    [InlineData("import_mps_file.cs", 6, "Google.OrTools.ModelBuilder.Model.ImportFromMpsFile", "no program may write, read or dump files")]
    [InlineData("using_alias.cs", 1, "System.IO.File", "no file system access")]
    [InlineData("method_group.cs", 5, "System.IO.File.ReadAllText", "no file system access")]
    [InlineData("console_stdout_stream.cs", 5, "System.Console.OpenStandardOutput", "only Console.Write and Console.WriteLine")]
    [InlineData("exception_target_site.cs", 6, "System.Reflection.Assembly.Location", "no reflection")]
    [InlineData("get_type.cs", 5, "System.Type", "no reflection")]
    [InlineData("static_ctor_reads_file.cs", 7, "System.IO.File.ReadAllText", "no file system access")]
    [InlineData("solves_itself.cs", 10, "Google.OrTools.LinearSolver.Solver.Solve", "no program may write, read or dump files")]
    public async Task ForbiddenApisAreRejectedNamingTheLineAndSymbol(string file, int line, string symbol, string reason)
    {
        var result = await sandbox.RunFileAsync("Hostile/" + file);

        Assert.Equal(RunStatus.Rejected, result.Status);
        var first = result.Diagnostics[0];
        Assert.Equal("Policy", first.Kind);
        Assert.Equal(symbol, first.Symbol);
        Assert.Equal(line, first.Line);
        Assert.Contains(reason, first.Message);
        Assert.Null(result.Objective);
    }

    [Theory]
    [InlineData("infinite_loop.cs", RunStatus.Timeout, "Timeout", "wall-clock limit")]
    [InlineData("static_ctor_infinite_loop.cs", RunStatus.Timeout, "Timeout", "wall-clock limit")]
    [InlineData("allocate_20gb.cs", RunStatus.MemoryLimit, "Memory", "memory limit")]
    [InlineData("stack_overflow.cs", RunStatus.RuntimeError, "Runtime", "stack overflow")]
    [InlineData("print_1gb.cs", RunStatus.OutputLimit, "Output", "printed more than 65536 characters")]
    [InlineData("enormous_model.cs", RunStatus.MemoryLimit, "Memory", "memory")]
    [InlineData("throws.cs", RunStatus.RuntimeError, "Runtime", "Index was outside the bounds of the array")]
    [InlineData("compile_error.cs", RunStatus.CompileError, "Compile", "; expected")]
    [InlineData("no_model_class.cs", RunStatus.CompileError, "Compile", "no class implements IOptModel")]
    public async Task RunawayProgramsAreContainedWithAClearStatus(string file, RunStatus status, string kind, string message)
    {
        var result = await sandbox.RunFileAsync("Hostile/" + file, timeLimit: 1);

        Assert.Equal(status, result.Status);
        Assert.Equal(kind, result.Diagnostics[0].Kind);
        Assert.Contains(message, result.Diagnostics[0].Message);
        Assert.Null(result.Objective);

        // The host is unharmed: the next program is served normally.
        var next = await sandbox.RunFileAsync("Correct/mip_integer_cbc.cs", expected: 20);
        Assert.Equal(RunStatus.Correct, next.Status);
    }
}
