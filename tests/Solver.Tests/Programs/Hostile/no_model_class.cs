public sealed class Helper
{
    public int Answer() => 42;
}
