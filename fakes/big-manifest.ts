// A manifest of about `bytes`, most of it metadata: the size of manifest that
// made each pull request of a sweep cost a parse of its own.

/** One document naming its pull request's version, `name`, with as many metadata entries as fit in `bytes`. */
export function bigManifest(bytes: number, name = 'churn-model', mlRepo = 'previews'): string {
  const lines = [
    `name: ${name}`,
    `ml_repo: ${mlRepo}`,
    'version_alias: v0-pr${PR_NUMBER}',
    'description: preview of ${PR_HEAD_REF} at ${PR_HEAD_SHA}',
    'source: {type: truefoundry}',
    'metadata:',
  ]
  let size = lines.join('\n').length
  for (let index = 0; size < bytes; index++) {
    const line = `  feature_${index}: {mean: ${index}.5, std: 0.${index}, kind: numeric, table: "features_${index % 17}"}`
    lines.push(line)
    size += line.length + 1
  }
  return `${lines.join('\n')}\n`
}
