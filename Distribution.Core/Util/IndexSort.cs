namespace ChargeManager.Distribution.Util
{
    /// <summary>
    /// Sorts an array of charger indices by a precomputed key, ties broken by index, in place and
    /// without allocating (heap sort). The tie-break makes every order total, so runs are deterministic.
    /// </summary>
    public static class IndexSort
    {
        public static void Ascending(int[] indices, int count, long[] keyByCharger)
        {
            for (int start = count / 2 - 1; start >= 0; start--)
                SiftDown(indices, start, count, keyByCharger);
            for (int end = count - 1; end > 0; end--)
            {
                int top = indices[0];
                indices[0] = indices[end];
                indices[end] = top;
                SiftDown(indices, 0, end, keyByCharger);
            }
        }

        static void SiftDown(int[] a, int root, int count, long[] key)
        {
            while (true)
            {
                int child = 2 * root + 1;
                if (child >= count)
                    return;
                if (child + 1 < count && Less(a[child], a[child + 1], key))
                    child++;
                if (!Less(a[root], a[child], key))
                    return;
                int t = a[root];
                a[root] = a[child];
                a[child] = t;
                root = child;
            }
        }

        static bool Less(int x, int y, long[] key)
        {
            return key[x] < key[y] || (key[x] == key[y] && x < y);
        }
    }
}
