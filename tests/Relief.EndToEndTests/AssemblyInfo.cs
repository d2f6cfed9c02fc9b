// Each collection starts a whole stack (and the fault test loads and breaks one): two at once on a 2-core machine
// would only slow each other down and blur what a fault test measures.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
