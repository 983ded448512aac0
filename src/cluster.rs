//! Grouping by nearness: union–find over every pair of items. Text lines are grouped
//! into passes with it (`ocr::detect`), face-window hits into faces (`face`). A bottom
//! module: it depends on nothing of ours.

/// The connected sets of `items` under `near` (every pair is compared: meant for the
/// few hundred text lines or face-window hits of one photo), as one set number per
/// item, numbered from 0 in the order of each set's first item.
pub fn connected_sets<T>(items: &[T], near: impl Fn(&T, &T) -> bool) -> Vec<usize> {
    let mut parent: Vec<usize> = (0..items.len()).collect();
    fn root(parent: &mut [usize], mut i: usize) -> usize {
        while parent[i] != i {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        i
    }
    for i in 0..items.len() {
        for j in i + 1..items.len() {
            if near(&items[i], &items[j]) {
                let (a, b) = (root(&mut parent, i), root(&mut parent, j));
                parent[a.max(b)] = a.min(b);
            }
        }
    }
    let mut number = std::collections::HashMap::new();
    (0..items.len())
        .map(|i| {
            let r = root(&mut parent, i);
            let next = number.len();
            *number.entry(r).or_insert(next)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chains_of_near_items_are_one_set() {
        // 1–2 and 2–3 are near, so 1, 2 and 3 are one set; 10 and 11 another; 30 alone.
        let items = [1, 10, 2, 30, 3, 11];
        let sets = connected_sets(&items, |a: &i32, b: &i32| (a - b).abs() <= 1);
        assert_eq!(sets, vec![0, 1, 0, 2, 0, 1]);
        assert!(connected_sets::<i32>(&[], |_, _| true).is_empty());
    }
}
